"""A real-dataset (UCF101 split 1) config runs unchanged on generated data
when only data_root is pointed at it."""
import glob
import json
import os.path as osp
import subprocess
import sys

import pytest

from mmkd_video.datasets import generate_dataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = 'configs/baselines/r3d18_8xb8-16x2x1-100e_ucf101-split1-rgb.py'


@pytest.mark.slow
def test_ucf101_config_with_only_data_root(tmp_path):
    root = str(tmp_path / 'ucf101')
    generate_dataset(root, layout='ucf101', num_classes=10,
                     videos_per_class=2, num_frames=40, size=64, seed=0,
                     clips_per_group=1, val_ratio=0.5)
    work = str(tmp_path / 'work')
    # only data_root moves the data; the rest keeps the run short (two
    # clips each way, one iteration of the full-size model at 224)
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', CONFIG, '--work-dir', work,
         '--cfg-options', f'data_root={root}', 'train_cfg.max_epochs=1',
         'train_cfg.val_interval=1', 'train_dataloader.batch_size=2',
         'val_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
         'val_dataloader.num_workers=0',
         'train_dataloader.persistent_workers=False',
         'val_dataloader.persistent_workers=False',
         'train_dataloader.dataset.indices=2',
         'val_dataloader.dataset.indices=2'],
        cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    scalars = glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json'))
    records = [json.loads(line) for line in open(scalars[0])]
    assert any('acc/top1' in r for r in records)
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
