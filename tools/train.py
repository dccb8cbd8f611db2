"""Train a recognizer or a distiller: ``python tools/train.py CONFIG [options]``.

Same flags as mmaction2's tools/train.py. ``mmkd_video`` is imported first
(it registers our modules); ``setup_tool_process`` applies the stack's
compatibility patches.
"""
import argparse
import os.path as osp

import mmkd_video  # noqa: F401  (registers modules)
from mmengine.config import Config
from mmengine.device import get_device
from mmengine.runner import Runner

from mmaction.registry import RUNNERS
from mmkd_video.apis import (add_common_args, merge_cfg_options,
                             set_work_dir, setup_tool_process,
                             teardown_process_group)
from mmkd_video.engine import init_process_group_on_cpu
from mmkd_video.utils import (AMP_DTYPES, check_work_dir_writable,
                              declare_checkpoint_role, enable_amp,
                              find_resume_checkpoint,
                              friendly_registry_errors)


def parse_args():
    parser = argparse.ArgumentParser(description='Train a video model '
                                     '(recognizer, detector or distiller)')
    parser.add_argument('config', help='train config file path')
    add_common_args(parser, 'the dir to save logs and models')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint, or without a path from the latest '
        'checkpoint in the work dir')
    parser.add_argument('--amp', action='store_true',
                        help='enable automatic mixed precision training: '
                        'every optim wrapper (student, CVAE, discriminator) '
                        'becomes an AmpOptimWrapper (DataParallelOptimWrapper: '
                        'DataParallelAmpOptimWrapper); the teacher runs in '
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
    return setup_tool_process(parser.parse_args())


def merge_args(cfg, args):
    """Merge command line arguments into the config."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    cfg.launcher = args.launcher
    set_work_dir(cfg, args)
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
    merge_cfg_options(cfg, args.cfg_options)
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
    teardown_process_group()


if __name__ == '__main__':
    main()
