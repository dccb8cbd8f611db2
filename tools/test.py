"""Test a checkpoint: ``python tools/test.py CONFIG CHECKPOINT [options]``.

Same flags as mmaction2's tools/test.py (``--work-dir``, ``--dump``,
``--cfg-options``, ``--launcher``). For a distiller config the student is
evaluated; a student exported with tools/export_student.py is tested with the
student's own config.
"""
import argparse

import mmkd_video  # noqa: F401  (registers modules)
from mmengine.config import Config
from mmengine.runner import Runner

from mmkd_video.apis import (add_common_args, merge_cfg_options,
                             set_work_dir, setup_tool_process,
                             teardown_process_group)
from mmkd_video.engine import init_process_group_on_cpu
from mmkd_video.utils import declare_checkpoint_role, friendly_registry_errors


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    add_common_args(parser, 'the dir to save the metrics')
    parser.add_argument('--dump', type=str,
                        help='dump predictions to a pickle file (.pkl)')
    return setup_tool_process(parser.parse_args())


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    merge_cfg_options(cfg, args.cfg_options)
    cfg.launcher = args.launcher
    set_work_dir(cfg, args)
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
    teardown_process_group()


if __name__ == '__main__':
    main()
