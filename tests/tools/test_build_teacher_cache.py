"""tools/build_teacher_cache.py on a teacher-cache demo config, then one
train step of that config from the cache, on generated data."""
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper

from mmkd_video.apis import use_random_teacher
from mmkd_video.datasets import generate_dataset
from mmkd_video.registry import DATASETS, MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools'))
import build_teacher_cache  # noqa: E402

CONFIG = osp.join(REPO, 'configs/baselines/'
                  'kd-cached_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py')


@pytest.fixture
def data_root(tmp_path):
    root = str(tmp_path / 'synthetic')
    # 10 classes x 2 clips of 16 frames: 10 train + 10 val
    generate_dataset(root, num_classes=10, videos_per_class=2, num_frames=16,
                     size=64, seed=0, clips_per_group=1, val_ratio=0.3)
    return root


def options(data_root, cache):
    return [f'data_root={data_root}', f'model.teacher_cache={cache}',
            f'train_dataloader.dataset.cache_dir={cache}',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False']


def test_build_then_train_from_cache(data_root, tmp_path):
    cache = str(tmp_path / 'cache')
    build_teacher_cache.main([CONFIG, '--random-teacher', '--cfg-options',
                              *options(data_root, cache)])
    assert osp.isfile(osp.join(cache, 'meta.json'))
    assert osp.isfile(osp.join(cache, 'logits.npy'))

    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(dict(o.split('=', 1)
                             for o in options(data_root, cache)[1:3]))
    cfg.train_dataloader.dataset.dataset.data_root = data_root
    use_random_teacher(cfg)  # same seed: the cache's teacher
    model = MODELS.build(cfg.model).train()
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(dataset) == 10
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    log_vars = model.train_step(pseudo_collate([dataset[0], dataset[9]]),
                                optim)
    assert torch.isfinite(log_vars['loss_kd']) and log_vars['loss_kd'] > 0


def test_config_without_wrapper_is_refused(data_root, tmp_path):
    plain = osp.join(REPO, 'configs/baselines/'
                     'kd_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py')
    with pytest.raises(KeyError, match='model.teacher_cache is not set'):
        build_teacher_cache.main([plain, '--cfg-options',
                                  f'data_root={data_root}'])
    with pytest.raises(ValueError, match='must be the same folder'):
        build_teacher_cache.main([CONFIG, '--cfg-options',
                                  f'model.teacher_cache={tmp_path}/a'])
