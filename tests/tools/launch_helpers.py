"""Helpers of the launcher, resume and SLURM tests: configs written to disk
(the launchers take a config path), the environment of launched ranks, the
logged losses, and test hooks that each rank imports (``custom_imports``)."""
import os
import os.path as osp
import sys
import textwrap

from mmengine.config import Config

from mmkd_video.utils import reroot_dataset_paths

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MODELS_DIR = osp.join(REPO, 'configs', '_base_', 'models')

# Hooks the ranks import (custom_imports) from a folder put on PYTHONPATH.
RANK_HOOKS = textwrap.dedent('''
    """Test hooks: dump each rank's weights; make one rank die or lose its
    network."""
    import os
    import signal
    import socket
    import subprocess
    import time

    import torch
    from mmengine.dist import get_rank
    from mmengine.hooks import Hook
    from mmengine.registry import HOOKS


    @HOOKS.register_module()
    class DumpRankWeights(Hook):
        def after_train(self, runner):
            model = getattr(runner.model, 'module', runner.model)
            torch.save(model.state_dict(),
                       os.path.join(runner.work_dir, f'rank{get_rank()}.pth'))
            # where the rank ran (the multi-node tests check both nodes)
            with open(os.path.join(runner.work_dir,
                                   f'rank{get_rank()}.host'), 'w') as f:
                f.write(socket.gethostname())


    def _mark_fault(runner):
        """The moment of the fault, for the tests' time bounds."""
        with open(os.path.join(runner.work_dir, 'fault_at'), 'w') as f:
            f.write(repr(time.time()))


    @HOOKS.register_module()
    class DieOnRank(Hook):
        """Rank ``rank`` ends itself after training iteration ``iteration``
        (1-based): ``exit`` with code 3, ``sigkill`` like kill -9, or
        ``sigkill_node``: kill -9 of its launcher (torchrun's agent) and
        itself, as when the whole node dies. The other ranks then spend
        ``others_sleep`` seconds outside any collective (like a long
        validation), where nothing but the launcher can stop them."""

        def __init__(self, rank=1, iteration=1, how='exit', others_sleep=0):
            self.rank, self.iteration, self.how = rank, iteration, how
            self.others_sleep = others_sleep

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            if runner.iter + 1 < self.iteration:
                return
            if get_rank() != self.rank:
                time.sleep(self.others_sleep)
                return
            _mark_fault(runner)
            if self.how == 'sigkill_node':
                os.kill(os.getppid(), signal.SIGKILL)
            if self.how in ('sigkill', 'sigkill_node'):
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(3)


    @HOOKS.register_module()
    class LinkDownOnRank(Hook):
        """Rank ``rank`` takes its node's network interface ``ifname`` down
        after training iteration ``iteration`` (1-based) and trains on: the
        next collective waits for peers it can no longer reach."""

        def __init__(self, rank=1, iteration=1, ifname='mmkd0'):
            self.rank, self.iteration, self.ifname = rank, iteration, ifname

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            if runner.iter + 1 != self.iteration or get_rank() != self.rank:
                return
            _mark_fault(runner)
            subprocess.run(['ip', 'link', 'set', self.ifname, 'down'],
                           check=True)
''')


def deterministic_config(config: str, data_root: str, teacher_ckpt: str,
                         out: str, batch_size: int, max_epochs: int = 1,
                         extra_hooks=(), val: bool = False,
                         bn_eval: bool = False,
                         augment: bool = False) -> str:
    """Write a copy of ``config`` that trains deterministically on CPU.

    Random crop, flip and dropout are the only randomness of the recognition
    configs besides the sampler's seeded shuffle; with them off, a run is a
    function of the seed, and two ranks with half the batch each see
    exactly the samples one process sees. ``bn_eval`` keeps the
    student's BatchNorm layers in eval mode (fixed statistics, so a half
    batch normalises exactly like the full one; BN's batch statistics are
    the one thing in which data parallel training differs from one
    process, and SyncBN is GPU-only). ``augment`` keeps the random crop,
    flip and dropout (a seeded but random run).
    """
    cfg = Config.fromfile(osp.join(REPO, config))
    old_root = cfg.data_root
    cfg.data_root = data_root
    reroot_dataset_paths(cfg, old_root)
    cfg.model.teacher_ckpt = teacher_ckpt
    if not augment:
        cfg.train_dataloader.dataset.pipeline = cfg.val_pipeline
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].num_workers = 0
        cfg[loader].persistent_workers = False
    cfg.train_dataloader.batch_size = batch_size
    cfg.train_cfg.max_epochs = max_epochs
    if not val:
        cfg.train_cfg.val_interval = max_epochs + 1
    cfg.default_hooks.logger.interval = 1
    cfg.log_processor = dict(type='LogProcessor', window_size=1,
                             by_epoch=True)
    cfg.default_hooks.checkpoint.max_keep_ckpts = -1
    cfg.default_hooks.checkpoint.save_best = None
    if extra_hooks:
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + \
            list(extra_hooks)
        cfg.custom_imports = dict(imports=['mmkd_video', 'rank_hooks'],
                                  allow_failed_imports=False)
    student = cfg.model.student
    if isinstance(student, str):
        student = Config.fromfile(student).model
    if not augment:
        student.cls_head.dropout_ratio = 0.0
    if bn_eval:
        student.backbone.norm_eval = True
    cfg.model.student = student
    cfg.dump(out)
    return out


def launch_env(rank_hooks_dir: str = None, port: int = None) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1',
               PYTHON=sys.executable)
    if rank_hooks_dir:
        env['PYTHONPATH'] = os.pathsep.join(
            [rank_hooks_dir, REPO] + [p for p in [env.get('PYTHONPATH')] if p])
    if port:
        env['PORT'] = env['MASTER_PORT'] = str(port)
    return env


def logged(work_dir: str, key: str = 'loss') -> list:
    """Per-iteration values of ``key`` from the run's scalars.json."""
    import glob
    import json
    files = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    assert files, f'no scalars.json under {work_dir}'
    records = [json.loads(line) for line in open(sorted(files)[-1])]
    return [r[key] for r in records if key in r and 'step' in r
            and 'acc/top1' not in r]
