"""CurvePlotHook draws the whole history, across a resume."""
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from mmkd_video.datasets import generate_dataset
from mmkd_video.engine import CurvePlotHook
from mmkd_video.utils import reroot_dataset_paths

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
STUDENT = 'configs/baselines/student_r3d18-w8_1xb8-8x2x1-20e_synthetic-rgb.py'


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('clips'))
    generate_dataset(root, num_classes=4, videos_per_class=2, num_frames=16,
                     size=64, seed=0, clips_per_group=1, val_ratio=0.3)
    return root


def runner(data_root, work_dir, epochs, resume=False):
    cfg = Config.fromfile(osp.join(REPO, STUDENT))
    old_root = cfg.data_root
    cfg.data_root = data_root
    reroot_dataset_paths(cfg, old_root)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False,
                           batch_size=2)
    cfg.train_cfg.max_epochs = epochs
    cfg.param_scheduler = []
    cfg.work_dir = str(work_dir)
    cfg.resume = resume
    cfg.model_wrapper_cfg = None
    cfg.default_hooks.curves = dict(type='CurvePlotHook')
    cfg.experiment_name = f'curves-{epochs}-{resume}'
    return Runner.from_cfg(cfg)


def test_curves_png_holds_the_whole_history(data_root, tmp_path):
    first = runner(data_root, tmp_path, 1)
    first.train()
    png = tmp_path / 'curves.png'
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    per_epoch = len(first.message_hub.get_scalar('train/loss').data[0])

    second = runner(data_root, tmp_path, 2, resume=True)
    second.train()
    # the resumed run plots epoch 1's iterations too (restored hub)
    assert len(second.message_hub.get_scalar('train/loss').data[0]) == \
        2 * per_epoch
    assert len(second.message_hub.get_scalar('val/acc/top1').data[0]) == 2
    hook = next(h for h in second.hooks if isinstance(h, CurvePlotHook))
    assert hook.plot(second) == str(png)
