"""Fixtures of the launcher, resume and SLURM tests: generated data,
checkpoints of randomly initialised models, the folder of the test hooks."""
import os.path as osp

import pytest
import torch
from launch_helpers import MODELS_DIR, RANK_HOOKS
from mmengine.config import Config

from mmkd_video.datasets import generate_dataset
from mmkd_video.registry import MODELS


@pytest.fixture(scope='session')
def launch_data(tmp_path_factory):
    """20 train clips (divisible by the global batches used) + 10 val."""
    root = str(tmp_path_factory.mktemp('launch_data'))
    generate_dataset(root, num_classes=10, videos_per_class=3, num_frames=16,
                     size=64, seed=0, clips_per_group=1, val_ratio=0.4)
    return root


@pytest.fixture(scope='session')
def random_checkpoint(tmp_path_factory):
    """``random_checkpoint('demo_teacher_r3d18.py')``: a checkpoint of that
    model config with seeded random weights (enough to test mechanics)."""
    folder = tmp_path_factory.mktemp('random_ckpts')

    def make(model_config: str) -> str:
        path = str(folder / (model_config[:-3] + '.pth'))
        if not osp.exists(path):
            torch.manual_seed(0)
            cfg = Config.fromfile(osp.join(MODELS_DIR, model_config))
            model = MODELS.build(cfg.model)
            torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
        return path

    return make


@pytest.fixture(scope='session')
def rank_hooks_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp('rank_hooks')
    (folder / 'rank_hooks.py').write_text(RANK_HOOKS)
    return str(folder)
