"""Precompute a config's teacher outputs for offline KD.

``python tools/build_teacher_cache.py CONFIG`` runs the teacher of the
config's distiller once over the training dataset (inside its
``TeacherCacheDataset``, whose pipeline must be deterministic) and writes
the recorded outputs, float16 and memory-mapped, to ``model.teacher_cache``.
Training with the config then reads them instead of running the teacher.

Examples:
    python tools/build_teacher_cache.py \\
        configs/baselines/kd-cached_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py  # noqa: E501
    # elsewhere: both the distiller's and the dataset's cache_dir move
    python tools/build_teacher_cache.py CONFIG --cfg-options \\
        model.teacher_cache=DIR train_dataloader.dataset.cache_dir=DIR
"""
import argparse
import copy

import mmkd_video  # noqa: F401  (registers modules)
from mmengine.config import Config, DictAction
from mmengine.registry import DefaultScope

from mmkd_video.apis import use_random_teacher
from mmkd_video.registry import DATASETS, MODELS
from mmkd_video.teacher_cache import build_teacher_cache
from mmkd_video.utils import friendly_registry_errors, reroot_dataset_paths


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Write the teacher's recorded outputs for every training "
        'clip to the config\'s model.teacher_cache folder')
    parser.add_argument('config', help='a distiller config with '
                        'model.teacher_cache and a TeacherCacheDataset')
    parser.add_argument('--batch-size', type=int, default=None,
                        help='clips per teacher forward (default: the train '
                        "dataloader's batch size)")
    parser.add_argument('--num-workers', type=int, default=None,
                        help="dataloader workers (default: the config's)")
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--random-teacher', action='store_true',
                        help='a seeded random teacher instead of the '
                        "config's checkpoint (benchmarks only)")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args(argv)


def unwrap_dataset_cfg(cfg) -> dict:
    """The training dataset config inside its ``TeacherCacheDataset``."""
    cache_dir = cfg.model.get('teacher_cache')
    if not cache_dir:
        raise KeyError(f'{cfg.filename}: model.teacher_cache is not set; a '
                       'cache config sets it to the cache folder')
    dataset_cfg = cfg.train_dataloader.dataset
    if dataset_cfg.get('type') != 'TeacherCacheDataset':
        raise TypeError(
            f"{cfg.filename}: expected train_dataloader.dataset of type "
            f"'TeacherCacheDataset' (it gives the distiller each clip's "
            f"index), but got {dataset_cfg.get('type')!r}")
    if dataset_cfg.get('cache_dir') != cache_dir:
        raise ValueError(
            f'{cfg.filename}: model.teacher_cache={cache_dir!r} and '
            f"train_dataloader.dataset.cache_dir="
            f"{dataset_cfg.get('cache_dir')!r} must be the same folder")
    return copy.deepcopy(dataset_cfg.dataset)


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        old_root = cfg.get('data_root', None)
        cfg.merge_from_dict(args.cfg_options)
        reroot_dataset_paths(cfg, old_root)
    dataset_cfg = unwrap_dataset_cfg(cfg)
    cache_dir = cfg.model.pop('teacher_cache')  # run the live teacher
    if args.random_teacher:
        use_random_teacher(cfg)
    loader_cfg = cfg.train_dataloader
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', 'mmkd_video')), \
            friendly_registry_errors():
        distiller = MODELS.build(cfg.model)
        dataset = DATASETS.build(copy.deepcopy(dataset_cfg))
        build_teacher_cache(
            distiller, dataset, dataset_cfg.get('pipeline', []), cache_dir,
            batch_size=args.batch_size or loader_cfg.get('batch_size', 8),
            num_workers=(args.num_workers if args.num_workers is not None
                         else loader_cfg.get('num_workers', 0)),
            device=args.device)


if __name__ == '__main__':
    main()
