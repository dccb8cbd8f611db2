"""Argument and work-dir handling shared by tools/train.py and tools/test.py.

Both tools take mmaction2's flags; what they share (``--work-dir``,
``--cfg-options``, ``--launcher``, ``--trust-checkpoint``, ``--local-rank``)
is declared and applied here once, and so is the process set-up every tool
run needs (checkpoint trust, ``LOCAL_RANK``, the compatibility patches).
"""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import DictAction

from mmkd_video.compat import apply_patches
from mmkd_video.utils import reroot_dataset_paths, trust_checkpoints


def add_common_args(parser: argparse.ArgumentParser,
                    work_dir_help: str) -> argparse.ArgumentParser:
    """Add the flags train.py and test.py share; returns ``parser``."""
    parser.add_argument('--work-dir', help=work_dir_help)
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
    return parser


def setup_tool_process(args: argparse.Namespace) -> argparse.Namespace:
    """Per-process set-up of a tool run, after parsing its arguments.

    Applies the compatibility patches the installed libraries need
    (:func:`mmkd_video.apply_compat_patches`), opts into full-pickle
    checkpoint loading only with ``--trust-checkpoint``, and exports
    ``LOCAL_RANK`` from ``--local-rank`` for launchers that pass the flag.
    """
    apply_patches()  # = mmkd_video.apply_compat_patches()
    if getattr(args, 'trust_checkpoint', False):
        trust_checkpoints()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(getattr(args, 'local_rank', 0))
    return args


def merge_cfg_options(cfg, cfg_options) -> None:
    """Merge ``--cfg-options``; ``data_root=DIR`` re-roots the dataloaders."""
    if cfg_options is None:
        return
    old_root = cfg.get('data_root', None)
    cfg.merge_from_dict(cfg_options)
    reroot_dataset_paths(cfg, old_root)


def set_work_dir(cfg, args: argparse.Namespace) -> None:
    """``--work-dir``, else the config's, else ``work_dirs/<config name>``."""
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])


def teardown_process_group() -> None:
    """Destroy the process group before exit.

    Left to interpreter shutdown, gloo's threads can abort the process after
    the work is done.
    """
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()
