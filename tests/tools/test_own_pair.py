"""Distil your own pair: a user's configs outside the repository.

The user's teacher and student are mmaction2 configs in their own folder
(here tmp): they inherit ``mmaction::`` model and runtime bases
(``default_scope='mmaction'``), with other widths and another class count
than our demo, and their own data block. Our method configs are inherited
by path. Every run is ``tools/train.py`` in its own process, one epoch; the
exported students then run through mmaction2's ``init_recognizer`` +
``inference_recognizer`` on a video file: KD's and StructKD's in a process
that never imports mmkd_video, GenKD's (whose neck is ours) with
``custom_imports`` only. README section "Distil your own pair" shows these
configs.
"""
import os.path as osp
import subprocess
import sys

import pytest

from mmkd_video.datasets import generate_dataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs')
KD = osp.join(CONFIGS, 'baselines',
              'kd_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py')
STRUCTKD = osp.join(CONFIGS, 'structkd',
                    'structkd-pi-pa-ho_r3d18-w32-to-w8_1xb8-8x2x1-20e_'
                    'synthetic-rgb.py')
GENKD1 = osp.join(CONFIGS, 'genkd',
                  'genkd-phase1_r3d18-w32_1xb8-8x2x1-6e_synthetic-rgb.py')
GENKD2 = osp.join(CONFIGS, 'genkd',
                  'genkd-phase2_r3d18-w32-to-w8_1xb8-8x2x1-20e_'
                  'synthetic-rgb.py')
NUM_CLASSES = 6  # the demo has 10

# The user's data block: mmaction2's own VideoDataset on their files.
DATA = '''
data_root = {root!r}
clip_len, frame_interval = 4, 2
train_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=clip_len,
         frame_interval=frame_interval, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='RandomCrop', size=64),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')]
test_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=clip_len,
         frame_interval=frame_interval, num_clips=1, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 64)),
    dict(type='CenterCrop', crop_size=64),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')]
val_pipeline = test_pipeline


def loader(ann, pipeline, test_mode):
    return dict(
        _delete_=True, batch_size=4, num_workers=0, persistent_workers=False,
        sampler=dict(type='DefaultSampler', shuffle=not test_mode),
        dataset=dict(type='VideoDataset', ann_file=data_root + '/' + ann,
                     data_prefix=dict(video=data_root + '/videos'),
                     pipeline=pipeline, test_mode=test_mode))


train_dataloader = loader('ucf101_train_split_1_videos.txt', train_pipeline,
                          False)
val_dataloader = loader('ucf101_val_split_1_videos.txt', val_pipeline, True)
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='AccMetric')
test_evaluator = val_evaluator
'''
# Distillation runs: one epoch, validation included.
ONE_EPOCH = '''
train_cfg = dict(max_epochs=1, val_interval=1)
param_scheduler = []
'''
TEACHER = '''
_base_ = ['mmaction::_base_/models/slowonly_r50.py',
          'mmaction::_base_/default_runtime.py']
model = dict(
    backbone=dict(depth=18, base_channels=16,  # last stage: 128 channels
                  pretrained=None),
    cls_head=dict(in_channels=128, num_classes={num_classes}))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3))
'''
STUDENT = '''
_base_ = ['./my_teacher.py']
model = dict(backbone=dict(base_channels=8),  # last stage: 64 channels
             cls_head=dict(in_channels=64))
'''
# GenKD puts its attention inside the recognizer as the neck; ours, so the
# type carries our scope and custom_imports registers it in plain mmaction2.
TEACHER_GENKD = '''
_base_ = ['./my_teacher.py']
custom_imports = dict(imports=['mmkd_video'], allow_failed_imports=False)
model = dict(neck=dict(type='mmkd_video.GenKDAttentionNeck',
                       in_channels=128, num_frames=4, feat_size=2,
                       head=dict(num_groups=4)))
'''
STUDENT_GENKD = '''
_base_ = ['./my_student.py']
custom_imports = dict(imports=['mmkd_video'], allow_failed_imports=False)
model = dict(neck=dict(type='mmkd_video.GenKDAttentionNeck',
                       in_channels=64, channels=128,  # teacher's width
                       num_frames=4, feat_size=2, head=dict(num_groups=4)),
             cls_head=dict(in_channels=128))
'''


def method(base, **model):
    """A user's method config: our method by path, their pair and data."""
    items = ''.join(f'    {k}={v!r},\n' for k, v in model.items())
    return f'_base_ = [{base!r}]\nmodel = dict(\n{items})\n' + \
        '$DATA' + ONE_EPOCH


def run(args, cwd):
    proc = subprocess.run([sys.executable, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def train(user, config, work):
    return run([osp.join(REPO, 'tools', 'train.py'), str(user / config),
                '--work-dir', str(user / work)], cwd=user)


@pytest.fixture(scope='module')
def user(tmp_path_factory):
    user = tmp_path_factory.mktemp('my_project')
    root = str(user / 'my_videos')
    generate_dataset(root, num_classes=NUM_CLASSES, videos_per_class=2,
                     num_frames=16, size=64, seed=0, clips_per_group=1,
                     val_ratio=0.3)
    data = DATA.format(root=root)
    for name, text in dict(my_teacher=TEACHER, my_student=STUDENT,
                           my_teacher_genkd=TEACHER_GENKD,
                           my_student_genkd=STUDENT_GENKD).items():
        text = text.format(num_classes=NUM_CLASSES)
        if name == 'my_teacher':
            text += data.replace('_delete_=True, ', '')
        (user / f'{name}.py').write_text(text)
    teacher = str(user / 'work_teacher' / 'epoch_1.pth')
    configs = dict(
        my_kd=method(KD, student='./my_student.py',
                     teacher='./my_teacher.py', teacher_ckpt=teacher),
        my_structkd=method(STRUCTKD, student='./my_student.py',
                           teacher='./my_teacher.py', teacher_ckpt=teacher,
                           distill_losses=dict(ho=dict(discriminator=dict(
                               in_channels=NUM_CLASSES)))),
        my_genkd1=method(GENKD1, student='./my_teacher_genkd.py',
                         student_ckpt=teacher),
        my_genkd2=method(GENKD2, student='./my_student_genkd.py',
                         teacher='./my_teacher_genkd.py',
                         teacher_ckpt=str(user / 'work_genkd1' /
                                          'student_latest.pth')))
    for name, text in configs.items():
        (user / f'{name}.py').write_text(text.replace('$DATA', data))
    logs = dict(teacher=train(user, 'my_teacher.py', 'work_teacher'))
    for name in configs:
        logs[name] = train(user, f'{name}.py', f'work_{name[3:]}')
    return user, logs


def test_own_pair_trains_every_method(user):
    path, logs = user
    assert 'Epoch(val)' in logs['teacher']
    expected = dict(my_kd=['loss_kd'],
                    my_structkd=['loss_pi', 'loss_pa', 'loss_adv_g',
                                 'loss_adv_d', 'loss_gp'],
                    my_genkd1=['loss_cvae'],
                    my_genkd2=['loss_cvae', 'loss_gd', 'loss_rec',
                               'loss_ad'])
    for name, terms in expected.items():
        for term in ['loss_cls'] + terms:
            assert term + ':' in logs[name], (name, term)
        assert osp.isfile(path / f'work_{name[3:]}' / 'student_latest.pth')


INFER = '''
import sys
import torch
from mmaction.apis import inference_recognizer, init_recognizer
video = sys.argv[1]
for config, ckpt in zip(sys.argv[2::2], sys.argv[3::2]):
    model = init_recognizer(config, ckpt, device='cpu')
    state = torch.load(ckpt, weights_only=True)['state_dict']
    assert all(torch.equal(v, state[k])
               for k, v in model.state_dict().items())
    score = inference_recognizer(model, video).pred_score
    print('SCORE', config, tuple(score.shape), round(float(score.sum()), 3))
print('IMPORTED_MMKD', any(m.startswith('mmkd_video') for m in sys.modules))
'''


def test_exported_students_run_in_mmaction2(user):
    path, _ = user
    video = sorted((path / 'my_videos' / 'videos').rglob('*.avi'))[0]
    plain = run(['-c', INFER, str(video),
                 'my_student.py', 'work_kd/student_latest.pth',
                 'my_student.py', 'work_structkd/student_latest.pth'],
                cwd=path)
    assert plain.count(f'({NUM_CLASSES},) 1.0') == 2, plain
    assert 'IMPORTED_MMKD False' in plain  # plain mmaction2, no shim
    genkd = run(['-c', INFER, str(video), 'my_student_genkd.py',
                 'work_genkd2/student_latest.pth'], cwd=path)
    assert genkd.count(f'({NUM_CLASSES},) 1.0') == 1, genkd
    assert 'IMPORTED_MMKD True' in genkd  # through custom_imports only
