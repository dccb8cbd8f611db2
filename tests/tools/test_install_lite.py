"""`make install-lite`: recognition on mmcv-lite, no compiled mmcv ops.

A fresh virtual environment in tmp (pip installs from the configured index,
~1.5 min here from local wheels), then a real training epoch with
tools/train.py. Slow tier: it installs torch and the OpenMMLab stack.
"""
import os
import os.path as osp
import subprocess

import pytest

from mmkd_video.datasets import generate_dataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TEACHER = 'configs/baselines/teacher_r3d18-w32_1xb8-8x2x1-20e_synthetic-rgb.py'


@pytest.mark.slow
def test_install_lite_trains_recognition_without_mmcv_ops(tmp_path):
    venv = tmp_path / 'venv'
    env = {k: v for k, v in os.environ.items()
           if k not in ('PYTHONPATH', 'VIRTUAL_ENV')}
    proc = subprocess.run(['make', 'install-lite', f'VENV={venv}'], cwd=REPO,
                          env=env, capture_output=True, text=True,
                          timeout=1800)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert 'plain mmaction2 imports' in proc.stdout
    python = str(venv / 'bin' / 'python')
    probe = subprocess.run(
        [python, '-c', 'import importlib.metadata as m, mmcv\n'
         "print(m.version('mmcv-lite'))\n"
         'import mmcv.ops'], env=env, capture_output=True, text=True)
    assert probe.stdout.split() == ['2.1.0']
    assert "No module named 'mmcv._ext'" in probe.stderr  # no ops

    data = str(tmp_path / 'data')
    generate_dataset(data, num_classes=10, videos_per_class=2,
                     num_frames=16, size=64, seed=0, clips_per_group=1,
                     val_ratio=0.3)
    work = str(tmp_path / 'work')
    train = subprocess.run(
        [python, 'tools/train.py', TEACHER, '--work-dir', work,
         '--cfg-options', f'data_root={data}', 'train_cfg.max_epochs=1',
         'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
         'val_dataloader.num_workers=0',
         'train_dataloader.persistent_workers=False',
         'val_dataloader.persistent_workers=False'],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert train.returncode == 0, train.stderr[-3000:]
    assert 'Epoch(val)' in train.stdout + train.stderr
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
