"""Start the process group for a launcher on machines without CUDA.

MMEngine 0.10.7's ``init_dist`` calls ``torch.cuda.set_device`` for the
``pytorch`` and ``slurm`` launchers, which raises on a CPU build of torch.
``Runner.setup_env`` skips ``init_dist`` when a process group already exists,
so on a machine without CUDA the tools call :func:`init_process_group_on_cpu`
first: it reads the launcher's environment exactly as MMEngine does and
starts a ``gloo`` group. With CUDA it does nothing and MMEngine's own path
(nccl, one device per local rank) runs unchanged.
"""
import os
import subprocess
from datetime import timedelta

import torch
import torch.distributed as dist


def _slurm_env(port: str) -> None:
    """Translate SLURM's variables into torch's, as MMEngine does."""
    nodes = os.environ['SLURM_NODELIST']
    if 'MASTER_ADDR' not in os.environ:
        first = subprocess.run(['scontrol', 'show', 'hostnames', nodes],
                               capture_output=True, text=True, check=True)
        os.environ['MASTER_ADDR'] = first.stdout.split()[0]
    os.environ.setdefault('MASTER_PORT', port)
    os.environ['WORLD_SIZE'] = os.environ['SLURM_NTASKS']
    os.environ['RANK'] = os.environ['SLURM_PROCID']
    os.environ['LOCAL_RANK'] = os.environ.get('SLURM_LOCALID', '0')


def _mpi_env(port: str) -> None:
    os.environ.setdefault('MASTER_ADDR', '127.0.0.1')
    os.environ.setdefault('MASTER_PORT', port)
    os.environ['WORLD_SIZE'] = os.environ['OMPI_COMM_WORLD_SIZE']
    os.environ['RANK'] = os.environ['OMPI_COMM_WORLD_RANK']
    os.environ['LOCAL_RANK'] = os.environ['OMPI_COMM_WORLD_LOCAL_RANK']


def init_process_group_on_cpu(launcher: str, cfg=None,
                              timeout_s: int = 1800) -> bool:
    """Start a gloo process group for ``launcher`` when CUDA is absent.

    Args:
        launcher (str): ``none``, ``pytorch`` (torchrun), ``slurm`` or
            ``mpi``, as the tools' ``--launcher``.
        cfg (Config, optional): If given, its ``env_cfg.dist_cfg.backend`` is
            set to ``gloo`` so the logged environment says what runs.
        timeout_s (int): Collective timeout in seconds. Defaults to 1800.

    Returns:
        bool: True if this call started the group; False with CUDA, for
        ``launcher='none'`` or when a group already exists.
    """
    if launcher == 'none' or torch.cuda.is_available() \
            or dist.is_initialized():
        return False
    port = os.environ.get('MASTER_PORT', '29500')
    if launcher == 'slurm':
        _slurm_env(port)
    elif launcher == 'mpi':
        _mpi_env(port)
    elif launcher != 'pytorch':
        raise ValueError(f'unknown launcher {launcher!r}: expected none, '
                         'pytorch, slurm or mpi')
    missing = [k for k in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR',
                           'MASTER_PORT') if k not in os.environ]
    if missing:
        raise RuntimeError(
            f'--launcher {launcher} needs the environment variables '
            f'{missing}; start the job with tools/dist_train.sh (torchrun) '
            'or tools/slurm_train.sh (srun), or use --launcher none')
    os.environ.setdefault('LOCAL_RANK', '0')
    dist.init_process_group('gloo', timeout=timedelta(seconds=timeout_s))
    if cfg is not None:
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
        cfg.env_cfg.dist_cfg.backend = 'gloo'
    return True
