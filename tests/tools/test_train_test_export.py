"""tools/train.py, tools/test.py and tools/export_student.py end to end on
generated data, each in its own process like a user runs them."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest

from mmkd_video.datasets import generate_dataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TEACHER = 'configs/baselines/teacher_r3d18-w32_1xb8-8x2x1-20e_synthetic-rgb.py'
KD = 'configs/baselines/kd_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
STUDENT_MODEL = 'configs/_base_/models/demo_student_r3d18_tiny.py'
# one epoch of 4-clip batches, validation included
TINY = ['train_dataloader.batch_size=4', 'val_dataloader.batch_size=8',
        'test_dataloader.batch_size=8', 'train_dataloader.num_workers=0',
        'val_dataloader.num_workers=0', 'test_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.persistent_workers=False',
        'test_dataloader.persistent_workers=False',
        'train_cfg.max_epochs=1']


def run(args, cwd=REPO, env=None):
    proc = subprocess.run([sys.executable, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synthetic'))
    # the demo's 10 classes, 2 clips each: 14 train + 6 val clips
    generate_dataset(root, num_classes=10, videos_per_class=2,
                     num_frames=16, size=64, seed=0, clips_per_group=1,
                     val_ratio=0.3)
    return root


def val_accuracy(work_dir):
    scalars = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    records = [json.loads(line) for line in open(scalars[0])]
    return [r for r in records if 'acc/top1' in r][-1]['acc/top1']


@pytest.fixture(scope='module')
def teacher_run(data_root, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('teacher'))
    log = run(['tools/train.py', TEACHER, '--work-dir', work,
               '--cfg-options', f'data_root={data_root}', *TINY])
    return work, log


def test_train_writes_checkpoint_and_accuracy(teacher_run):
    work, log = teacher_run
    assert 'Epoch(train)' in log and 'Epoch(val)' in log
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
    assert 0.0 <= val_accuracy(work) <= 1.0


def test_test_tool_reports_accuracy(teacher_run, data_root, tmp_path):
    work, _ = teacher_run
    out = run(['tools/test.py', TEACHER, osp.join(work, 'epoch_1.pth'),
               '--work-dir', str(tmp_path), '--cfg-options',
               f'data_root={data_root}', 'test_dataloader.num_workers=0',
               'test_dataloader.persistent_workers=False'])
    assert "'acc/top1':" in out


@pytest.fixture(scope='module')
def kd_run(teacher_run, data_root, tmp_path_factory):
    teacher_work, _ = teacher_run
    work = str(tmp_path_factory.mktemp('kd'))
    log = run(['tools/train.py', KD, '--work-dir', work, '--cfg-options',
               f'data_root={data_root}',
               f'model.teacher_ckpt={teacher_work}/epoch_1.pth',
               *TINY])
    return work, log


def test_kd_run_logs_terms_and_exports_plain_mmaction2_student(
        kd_run, tmp_path):
    work, log = kd_run
    assert 'loss_kd' in log and 'loss_cls' in log
    assert 'teacher: acc/top1:' in log  # TeacherValHook ran
    exported = osp.join(work, 'student_latest.pth')
    assert osp.isfile(exported)
    assert osp.isfile(osp.join(work, 'student_best.pth'))

    # mmaction2 alone (no mmkd_video import, no shim) loads and runs the
    # student: `make install` repaired the wheel's missing `drn` package.
    script = f'''
import sys
import torch
from mmengine.config import Config
from mmaction.apis import init_recognizer
cfg = Config.fromfile({STUDENT_MODEL!r})
model = init_recognizer(cfg, {exported!r}, device='cpu')
assert not any(m.startswith('mmkd_video') for m in sys.modules)
state = torch.load({exported!r}, weights_only=True)['state_dict']
for k, v in model.state_dict().items():
    assert torch.equal(v, state[k]), k
x = torch.randn(1, 1, 3, 8, 64, 64)
print('SCORES', tuple(model(x, mode='tensor', stage='head').shape))
'''
    out = run(['-c', script])
    assert 'SCORES (1, 10)' in out

    # tools/export_student.py gives the same weights from a full checkpoint
    again = str(tmp_path / 'again.pth')
    run(['tools/export_student.py', osp.join(work, 'epoch_1.pth'), again])
    import torch
    a = torch.load(exported, weights_only=True)['state_dict']
    b = torch.load(again, weights_only=True)['state_dict']
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_mmaction2_test_tool_gives_identical_accuracy(
        kd_run, teacher_run, data_root, tmp_path):
    """The exported student under mmaction2's own tools/test.py (no
    mmkd_video anywhere: mmaction2 types, scope and dataset) scores exactly
    what our tools/test.py reports for the distiller checkpoint."""
    work, _ = kd_run
    teacher_work, _ = teacher_run
    ours = run(['tools/test.py', KD, osp.join(work, 'epoch_1.pth'),
                '--work-dir', str(tmp_path / 'ours'), '--cfg-options',
                f'data_root={data_root}',
                f'model.teacher_ckpt={teacher_work}/epoch_1.pth',
                'test_dataloader.num_workers=0',
                'test_dataloader.persistent_workers=False'])

    from mmengine.config import Config
    plain = Config.fromfile(osp.join(REPO, STUDENT_MODEL))
    data = Config.fromfile(osp.join(REPO,
                                    'configs/_base_/datasets/demo_video.py'))
    plain.merge_from_dict(dict(
        default_scope='mmaction', test_cfg=dict(type='TestLoop'),
        test_evaluator=dict(type='AccMetric'),
        test_dataloader=dict(
            batch_size=8, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(type='VideoDataset',  # mmaction2's own
                         ann_file=osp.join(data_root, data.ann_file_test),
                         data_prefix=dict(video=osp.join(data_root,
                                                         'videos')),
                         pipeline=data.test_pipeline, test_mode=True))))
    plain_cfg = str(tmp_path / 'plain_student.py')
    plain.dump(plain_cfg)
    mmaction_test = osp.join(
        osp.dirname(__import__('mmaction').__file__), '.mim', 'tools',
        'test.py')
    script = f'''
import runpy, sys
sys.argv = ['test.py', {plain_cfg!r}, {osp.join(work, 'student_latest.pth')!r},
            '--work-dir', {str(tmp_path / 'theirs')!r}]
runpy.run_path({mmaction_test!r}, run_name='__main__')
assert not any(m.startswith('mmkd_video') for m in sys.modules)
'''
    theirs = run(['-c', script])

    import re
    acc_ours = float(re.search(r"'acc/top1': ([0-9.]+)", ours).group(1))
    acc_theirs = float(re.search(r'acc/top1: ([0-9.]+)', theirs).group(1))
    assert acc_theirs == pytest.approx(acc_ours, abs=1e-4)
