"""AVA-style detection distillation end to end with our tools: a 2-iteration
run of every distillation term scored by AVAMetric, and the exported student
tested by mmaction2's own tools/test.py."""
import glob
import json
import math
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch

from mmkd_video.datasets import generate_ava_dataset
from mmkd_video.models.distillers import build_model_from_spec

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
AVA = osp.join(REPO, 'configs', 'ava')
SUFFIX = 'fastrcnn-slowonly-r50-w8-to-r18-w4_1xb8-4x4x1-20e_synthetic-ava-rgb'
COMBINED = osp.join(AVA, f'genkd-structkd_{SUFFIX}.py')
KD = osp.join(AVA, f'kd_{SUFFIX}.py')
TEACHER_MODEL = osp.join(REPO, 'configs', '_base_', 'models',
                         'ava_fastrcnn_slowonly-r50-w8_genkd.py')
STUDENT_MODEL = osp.join(REPO, 'configs', '_base_', 'models',
                         'ava_fastrcnn_slowonly-r18-w4.py')
TINY = ['train_cfg.max_epochs=1', 'train_dataloader.num_workers=0',
        'val_dataloader.num_workers=0', 'test_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.persistent_workers=False',
        'test_dataloader.persistent_workers=False',
        'default_hooks.logger.interval=1']


def run(args, cwd):
    # AVAMetric writes a temporary CSV into the working directory
    proc = subprocess.run([sys.executable, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


@pytest.fixture(scope='module')
def ava(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('ava_synthetic'))
    # the configs' keyframes (902-909); 2 x 7 train keyframes = 2 batches
    info = generate_ava_dataset(root, num_train_videos=2, num_val_videos=1,
                                keyframes=(902, 909), size=64, seed=0)
    return root, info


@pytest.fixture(scope='module')
def teacher_ckpt(tmp_path_factory):
    """An untrained teacher: these tests check wiring, not accuracy."""
    torch.manual_seed(0)
    teacher = build_model_from_spec(TEACHER_MODEL, 'teacher')
    path = str(tmp_path_factory.mktemp('teacher') / 'teacher.pth')
    torch.save(dict(state_dict=teacher.state_dict()), path)
    return path


def scalars(work_dir):
    path = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))[0]
    return [json.loads(line) for line in open(path)]


def test_two_iterations_of_every_term_and_ava_map(ava, teacher_ckpt,
                                                  tmp_path):
    root, _ = ava
    work = str(tmp_path / 'work')
    log = run([osp.join(REPO, 'tools', 'train.py'), COMBINED, '--work-dir',
               work, '--cfg-options', f'data_root={root}',
               f'model.teacher_ckpt={teacher_ckpt}', *TINY], cwd=tmp_path)
    records = scalars(work)
    train = [r for r in records if 'loss' in r]
    assert [r['iter'] for r in train] == [1, 2]
    terms = {'loss_action_cls', 'loss_cvae', 'loss_gd', 'loss_rec',
             'loss_ad', 'loss_pa', 'loss_pi', 'loss_adv_g', 'loss_adv_d',
             'loss_gp'}
    for record in train:
        assert terms <= set(record), sorted(terms - set(record))
        for key in terms | {'loss'}:
            assert math.isfinite(record[key]), (key, record[key])
    # the distillation terms are live, not zeroed (rec is on its warm-up)
    assert all(train[0][k] > 0 for k in terms - {'loss_rec', 'loss_adv_d'})
    val = [r for r in records if 'mAP/overall' in r]
    assert len(val) == 1 and 0. < val[0]['mAP/overall'] <= 1.
    assert 'teacher: mAP/overall:' in log  # TeacherValHook, same metric
    assert osp.isfile(osp.join(work, 'student_latest.pth'))


@pytest.mark.slow
def test_exported_student_scores_the_same_under_mmaction2(ava, teacher_ckpt,
                                                          tmp_path):
    """The exported KD student under mmaction2's own tools/test.py (no
    mmkd_video: mmaction2's AVADataset, AVAMetric and scope) gets the mAP
    our tools/test.py reports for the distiller checkpoint."""
    root, info = ava
    work = str(tmp_path / 'work')
    run([osp.join(REPO, 'tools', 'train.py'), KD, '--work-dir', work,
         '--cfg-options', f'data_root={root}',
         f'model.teacher_ckpt={teacher_ckpt}', *TINY], cwd=tmp_path)
    ours = run([osp.join(REPO, 'tools', 'test.py'), KD,
                osp.join(work, 'epoch_1.pth'), '--work-dir',
                str(tmp_path / 'ours'), '--cfg-options', f'data_root={root}',
                f'model.teacher_ckpt={teacher_ckpt}',
                'test_dataloader.num_workers=0',
                'test_dataloader.persistent_workers=False'], cwd=tmp_path)

    from mmengine.config import Config
    plain = Config.fromfile(STUDENT_MODEL)
    data = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'datasets',
                                    'ava_synthetic.py'))
    plain.merge_from_dict(dict(
        default_scope='mmaction', test_cfg=dict(type='TestLoop'),
        test_evaluator=dict(
            type='AVAMetric', ann_file=info['ann_file_val'],
            label_file=info['label_file'],
            exclude_file=info['exclude_file_val'],
            num_classes=info['num_classes']),
        test_dataloader=dict(
            batch_size=1, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(
                type='AVADataset',  # mmaction2's own
                ann_file=info['ann_file_val'],
                exclude_file=info['exclude_file_val'],
                label_file=info['label_file'],
                proposal_file=info['proposal_file_val'],
                data_prefix=dict(img=info['data_root']),
                num_classes=info['num_classes'],
                timestamp_start=info['timestamp_start'],
                timestamp_end=data.timestamp_end,
                pipeline=data.val_pipeline, test_mode=True))))
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
    theirs = run(['-c', script], cwd=tmp_path)
    map_ours = float(re.search(r"'mAP/overall': ([0-9.]+)", ours).group(1))
    map_theirs = float(re.search(r'mAP/overall: ([0-9.]+)', theirs).group(1))
    assert 0. < map_ours <= 1.
    assert map_theirs == pytest.approx(map_ours, abs=1e-4)
