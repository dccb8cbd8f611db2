"""Train a recognizer or a distiller: ``python tools/train.py CONFIG [options]``.

Same flags as mmaction2's tools/train.py. ``mmkd_video`` is imported first:
it registers our modules and applies the stack's compatibility fixes.
"""
import argparse
import os
import os.path as osp

import torch

import mmkd_video  # noqa: F401  (registers modules, applies compat fixes)
from mmengine.config import Config, DictAction
from mmengine.device import get_device
from mmengine.runner import Runner

from mmaction.registry import RUNNERS
from mmkd_video.engine import init_process_group_on_cpu
from mmkd_video.utils import (AMP_DTYPES, check_work_dir_writable,
                              declare_checkpoint_role, enable_amp,
                              find_resume_checkpoint,
                              friendly_registry_errors, reroot_dataset_paths,
                              trust_checkpoints)


def parse_args():
    parser = argparse.ArgumentParser(description='Train a video model '
                                     '(recognizer, detector or distiller)')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint, or without a path from the latest '
        'checkpoint in the work dir')
    parser.add_argument('--amp', action='store_true',
                        help='enable automatic mixed precision training: '
                        'every optim wrapper (student, CVAE, discriminator) '
                        'becomes an AmpOptimWrapper; the teacher runs in '
                        'bfloat16, the losses in float32')
    parser.add_argument('--amp-dtype', choices=AMP_DTYPES, default=None,
                        help='autocast dtype with --amp (default: float16 '
                        'with dynamic loss scaling)')
    parser.add_argument('--no-validate', action='store_true',
                        help='do not evaluate checkpoints during training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the actual batch size')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument('--diff-rank-seed', action='store_true',
                        help='different seeds for different ranks')
    parser.add_argument('--deterministic', action='store_true',
                        help='deterministic options for the CUDNN backend')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value (see mmengine DictAction)')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'],
                        help='job launcher')
    parser.add_argument(
        '--trust-checkpoint', action='store_true',
        help='load trusted legacy checkpoints with full pickle '
        '(weights_only=False: a checkpoint can then run code); by default '
        'checkpoints load weights-only and anything else is refused')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if args.trust_checkpoint:
        trust_checkpoints()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg, args):
    """Merge command line arguments into the config."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp_dtype and not args.amp:
        raise ValueError('--amp-dtype needs --amp')
    if args.amp and get_device() == 'cpu':
        raise ValueError(
            "--amp uses mmengine's AmpOptimWrapper, which (mmengine 0.10.7) "
            'runs only on GPU/NPU/MLU/MUSA, but no accelerator is visible; '
            'train without --amp on CPU')
    if args.amp:
        enable_amp(cfg.optim_wrapper, args.amp_dtype)
    if args.resume == 'auto':
        # the newest complete checkpoint: an interrupted save never makes
        # the run start over (mmengine would trust `last_checkpoint` alone)
        found = find_resume_checkpoint(cfg.work_dir) \
            if osp.isdir(cfg.work_dir) else None
        if found is None:
            print(f'--resume: no checkpoint in {cfg.work_dir}, starting '
                  'from scratch')
        cfg.resume = found is not None
        cfg.load_from = found
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if cfg.get('randomness', None) is None or args.seed is not None:
        cfg.randomness = dict(seed=args.seed,
                              diff_rank_seed=args.diff_rank_seed,
                              deterministic=args.deterministic)
    if args.cfg_options is not None:
        old_root = cfg.get('data_root', None)
        cfg.merge_from_dict(args.cfg_options)
        # `--cfg-options data_root=DIR` re-roots the dataloaders too.
        reroot_dataset_paths(cfg, old_root)
    if cfg.get('load_from'):
        declare_checkpoint_role(
            cfg.load_from,
            '--resume checkpoint' if cfg.get('resume') else
            'load_from checkpoint')
    return cfg


def main():
    args = parse_args()
    cfg = merge_args(Config.fromfile(args.config), args)
    check_work_dir_writable(cfg.work_dir)
    # CPU-only machines: gloo group before the Runner (MMEngine's init_dist
    # needs CUDA); with CUDA this does nothing.
    init_process_group_on_cpu(args.launcher, cfg)
    with friendly_registry_errors():
        runner = Runner.from_cfg(cfg) if 'runner_type' not in cfg \
            else RUNNERS.build(cfg)
    runner.train()
    # Tear the process group down before exit: left to interpreter shutdown,
    # gloo's threads can abort the process after the work is done.
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


if __name__ == '__main__':
    main()
