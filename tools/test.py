"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [options]``.

Same flags as mmaction2's tools/test.py (``--work-dir``, ``--dump``,
``--cfg-options``, ``--launcher``). For a distiller config the student is
evaluated; a student exported with tools/export_student.py is tested with the
student's own config.
"""
import argparse
import os
import os.path as osp

import torch

import mmkd_video  # noqa: F401  (registers modules, applies compat fixes)
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmkd_video.engine import init_process_group_on_cpu
from mmkd_video.utils import (declare_checkpoint_role,
                              friendly_registry_errors, reroot_dataset_paths,
                              trust_checkpoints)


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save the metrics')
    parser.add_argument('--dump', type=str,
                        help='dump predictions to a pickle file (.pkl)')
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


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        old_root = cfg.get('data_root', None)
        cfg.merge_from_dict(args.cfg_options)
        # `--cfg-options data_root=DIR` re-roots the dataloaders too.
        reroot_dataset_paths(cfg, old_root)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    declare_checkpoint_role(args.checkpoint, 'checkpoint to test')
    init_process_group_on_cpu(args.launcher, cfg)  # no-op with CUDA
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump must end with .pkl, got {args.dump!r}')
        evaluator = cfg.test_evaluator
        if isinstance(evaluator, dict):
            evaluator = [evaluator]
        cfg.test_evaluator = list(evaluator) + [
            dict(type='DumpResults', out_file_path=args.dump)]
    with friendly_registry_errors():
        runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    print({k: round(float(v), 4) for k, v in metrics.items()})
    # Tear the process group down before exit: left to interpreter shutdown,
    # gloo's threads can abort the process after the work is done.
    if torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


if __name__ == '__main__':
    main()
