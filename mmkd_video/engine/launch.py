"""Start the process group for a launcher on machines without CUDA.

MMEngine 0.10.7's ``init_dist`` calls ``torch.cuda.set_device`` for the
``pytorch`` and ``slurm`` launchers, which raises on a CPU build of torch.
``Runner.setup_env`` skips ``init_dist`` when a process group already exists,
so on a machine without CUDA the tools call :func:`init_process_group_on_cpu`
first: it reads the launcher's environment exactly as MMEngine does and
starts a ``gloo`` group. With CUDA it does nothing and MMEngine's own path
(nccl, one device per local rank) runs unchanged.

The collective timeout is MMEngine's own setting, ``env_cfg.dist_cfg.timeout``
(seconds; 1800 when unset): a rank whose peer stops answering (a node that
hangs, a link that goes down) raises after that long instead of waiting
forever. A rank that loses a peer says which rank it lost
(:func:`explain_lost_peer`), since gloo only names an address.
"""
import os
import re
import socket
import subprocess
import sys
from datetime import timedelta
from typing import Dict, List, Optional

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


DEFAULT_TIMEOUT_S = 1800  # MMEngine's default for dist_cfg.timeout

# rank -> (hostname, addresses) of every rank, filled when the group starts
_RANK_HOSTS: Dict[int, tuple] = {}


def _local_addresses() -> List[str]:
    """The addresses peers see this rank at: its hostname's address (what
    gloo binds to unless GLOO_SOCKET_IFNAME says otherwise) and the one it
    reaches MASTER_ADDR from (a UDP connect sends nothing)."""
    found = []
    try:
        found.append(socket.gethostbyname(socket.gethostname()))
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((os.environ['MASTER_ADDR'], 9))
            found.append(probe.getsockname()[0])
    except (OSError, KeyError):
        pass
    return sorted(set(found))


def explain_lost_peer(error: BaseException,
                      rank_hosts: Optional[Dict[int, tuple]] = None,
                      timeout_s: Optional[float] = None) -> Optional[str]:
    """Say which rank a failed collective lost, or why it timed out.

    Args:
        error (BaseException): The exception a collective raised. Gloo names
            the peer's address (``Connection closed by peer [ADDR]:PORT``)
            or a timeout (``Timed out waiting Nms``).
        rank_hosts (dict, optional): ``{rank: (hostname, [addresses])}``;
            defaults to the table gathered when the group started.
        timeout_s (float, optional): The configured timeout, for the
            message.

    Returns:
        str | None: One line for the log, or None if ``error`` is not a lost
        peer.
    """
    rank_hosts = _RANK_HOSTS if rank_hosts is None else rank_hosts
    text = str(error)
    me = f'rank {dist.get_rank()}' if dist.is_initialized() else 'this rank'
    # gloo's words: 'Connection closed by peer [ADDR]:PORT',
    # 'Read error [ADDR]:PORT: Connection reset by peer'
    peer = re.search(r'(?:closed|reset) by peer \[([^\]]+)\]', text) \
        or re.search(r'\[([^\]]+)\]:\d+: Connection (?:closed|reset)', text)
    if peer:
        addr = peer.group(1)
        lost = [(r, host) for r, (host, addrs) in sorted(rank_hosts.items())
                if addr in addrs]
        if lost:
            ranks = ', '.join(str(r) for r, _ in lost)
            hosts = ', '.join(sorted({h for _, h in lost}))
            who = f'rank {ranks} on {hosts} ({addr})'
        else:
            who = f'the rank at {addr}'
        return (f'mmkd_video: {me} lost {who}: that process died or its '
                'node left the network; the job stops here. Restart it on '
                'all nodes with --resume to continue from the last '
                'checkpoint.')
    if re.search(r'Timed out waiting \d+ ?ms for (?:recv|send)', text):
        limit = f' ({timeout_s:g} s, env_cfg.dist_cfg.timeout)' \
            if timeout_s else ' (env_cfg.dist_cfg.timeout)'
        return (f'mmkd_video: {me} waited longer than the collective '
                f'timeout{limit} for its peers: a rank hung or the network '
                'between nodes went down; the job stops here. Restart it on '
                'all nodes with --resume to continue from the last '
                'checkpoint.')
    return None


def _install_lost_peer_message(timeout_s: float) -> None:
    """After an uncaught error, print :func:`explain_lost_peer`'s line under
    the traceback (where the launcher's log shows it)."""
    previous = sys.excepthook

    def hook(kind, value, tb):
        previous(kind, value, tb)
        line = explain_lost_peer(value, timeout_s=timeout_s)
        if line:
            print(line, file=sys.stderr, flush=True)

    sys.excepthook = hook


def collective_timeout(cfg=None) -> float:
    """``cfg.env_cfg.dist_cfg.timeout`` in seconds (MMEngine's key), or
    1800 when the config has none."""
    dist_cfg = ((cfg or {}).get('env_cfg') or {}).get('dist_cfg') or {}
    timeout = dist_cfg.get('timeout', None)
    if timeout is None:
        return DEFAULT_TIMEOUT_S
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
            or timeout <= 0:
        raise ValueError(
            f'env_cfg.dist_cfg.timeout must be a positive number of '
            f'seconds, got {timeout!r}; e.g. --cfg-options '
            'env_cfg.dist_cfg.timeout=300')
    return timeout


def init_process_group_on_cpu(launcher: str, cfg=None,
                              timeout_s: Optional[float] = None) -> bool:
    """Start a gloo process group for ``launcher`` when CUDA is absent.

    Args:
        launcher (str): ``none``, ``pytorch`` (torchrun), ``slurm`` or
            ``mpi``, as the tools' ``--launcher``.
        cfg (Config, optional): If given, its ``env_cfg.dist_cfg.backend`` is
            set to ``gloo`` so the logged environment says what runs, and
            its ``env_cfg.dist_cfg.timeout`` (seconds) is the collective
            timeout.
        timeout_s (float, optional): Collective timeout in seconds; overrides
            the config's. Defaults to the config's, else 1800.

    Returns:
        bool: True if this call started the group; False with CUDA, for
        ``launcher='none'`` or when a group already exists.
    """
    if launcher == 'none' or torch.cuda.is_available() \
            or dist.is_initialized():
        return False
    if timeout_s is None:
        timeout_s = collective_timeout(cfg)
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
    # who is where, for the message of a rank that loses a peer
    hosts = [None] * dist.get_world_size()
    dist.all_gather_object(hosts, (socket.gethostname(), _local_addresses()))
    _RANK_HOSTS.clear()
    _RANK_HOSTS.update(enumerate(hosts))
    _install_lost_peer_message(timeout_s)
    if cfg is not None:
        cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
        cfg.env_cfg.dist_cfg.backend = 'gloo'
    return True
