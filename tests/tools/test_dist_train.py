"""tools/dist_train.sh (torchrun, 2 processes, gloo on CPU) against one
process with the same global batch."""
import os.path as osp
import subprocess

import pytest
import torch
from launch_helpers import REPO, deterministic_config, launch_env, logged

pytestmark = pytest.mark.slow

KD = 'configs/baselines/kd_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
HO = ('configs/structkd/'
      'structkd-pi-pa-ho_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py')
GENKD = ('configs/genkd/'
         'genkd-phase2_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py')
DUMP = [dict(type='DumpRankWeights')]


def train(args, env, timeout=600):
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return proc.stdout + proc.stderr


def dist_train(config, work_dir, env, gpus=2):
    return train(['tools/dist_train.sh', config, str(gpus), '--work-dir',
                  work_dir], env)


@pytest.mark.parametrize('config,teacher', [
    (KD, 'demo_teacher_r3d18.py'),
])
def test_two_ranks_follow_the_single_process_loss_curve(
        config, teacher, launch_data, random_checkpoint, rank_hooks_dir,
        tmp_path):
    """2 ranks x 2 clips == 1 process x 4 clips, iteration by iteration.

    Tolerance 1e-4 relative: the gradients are averaged over ranks in a
    different order of float additions than one process sums them.
    """
    ckpt = random_checkpoint(teacher)
    two = deterministic_config(config, launch_data, ckpt,
                               str(tmp_path / 'two.py'), batch_size=2,
                               max_epochs=2, bn_eval=True)
    one = deterministic_config(config, launch_data, ckpt,
                               str(tmp_path / 'one.py'), batch_size=4,
                               max_epochs=2, bn_eval=True)
    env = launch_env(rank_hooks_dir, port=29631)
    log = dist_train(two, str(tmp_path / 'w2'), env)
    assert 'backend: gloo' in log or "'backend': 'gloo'" in log
    train([env['PYTHON'], 'tools/train.py', one,
           '--work-dir', str(tmp_path / 'w1')], env)
    loss2 = logged(str(tmp_path / 'w2'))
    loss1 = logged(str(tmp_path / 'w1'))
    assert len(loss2) == len(loss1) == 10  # 20 clips / 4 x 2 epochs
    assert loss1[0] != loss1[-1]  # it trains
    assert loss2 == pytest.approx(loss1, rel=1e-4)

    # tools/dist_test.sh evaluates the checkpoint with 2 processes
    out = train(['tools/dist_test.sh', two,
                 osp.join(str(tmp_path / 'w2'), 'epoch_2.pth'), '2',
                 '--work-dir', str(tmp_path / 'test')], env)
    assert "'acc/top1':" in out


@pytest.mark.parametrize('config,teacher', [
    (HO, 'demo_teacher_r3d18.py'),  # discriminator optimizer
    (GENKD, 'demo_teacher_r3d18_genkd.py'),  # CVAE optimizer
])
def test_every_optimizer_keeps_ranks_identical(config, teacher, launch_data,
                                               random_checkpoint,
                                               rank_hooks_dir, tmp_path):
    ckpt = random_checkpoint(teacher)
    cfg = deterministic_config(config, launch_data, ckpt,
                               str(tmp_path / 'cfg.py'), batch_size=2,
                               extra_hooks=DUMP)
    work = str(tmp_path / 'work')
    dist_train(cfg, work, launch_env(rank_hooks_dir, port=29632))
    rank0 = torch.load(osp.join(work, 'rank0.pth'), weights_only=True)
    rank1 = torch.load(osp.join(work, 'rank1.pth'), weights_only=True)
    init = torch.load(ckpt, weights_only=True)['state_dict']
    assert rank0.keys() == rank1.keys()
    differ = [k for k in rank0 if not torch.equal(rank0[k], rank1[k])]
    assert not differ, differ
    # the student and its extra module (discriminator / CVAE) trained
    extra = 'distill_losses.' if config == HO else 'student.neck.head.cvae.'
    assert any(k.startswith(extra) for k in rank0)
    teacher = {k[len('teacher.'):]: v for k, v in rank0.items()
               if k.startswith('teacher.')}
    assert all(torch.equal(teacher[k], init[k]) for k in init)


def test_ava_detection_distillation_keeps_ranks_identical(
        rank_hooks_dir, tmp_path):
    """GenKD + StructKD on FastRCNN detectors (three optimizers: network,
    CVAE, critic; the teacher on the student's sampled RoIs) with 2 ranks."""
    from mmengine.config import Config

    from mmkd_video.datasets import generate_ava_dataset
    from mmkd_video.models.distillers import build_model_from_spec
    root = str(tmp_path / 'ava')
    generate_ava_dataset(root, num_train_videos=2, num_val_videos=1,
                         keyframes=(902, 909), size=64, seed=0)
    torch.manual_seed(0)
    teacher = build_model_from_spec(
        osp.join(REPO, 'configs/_base_/models/'
                 'ava_fastrcnn_slowonly-r50-w8_genkd.py'), 'teacher')
    ckpt = str(tmp_path / 'teacher.pth')
    torch.save(dict(state_dict=teacher.state_dict()), ckpt)

    cfg = Config.fromfile(osp.join(
        REPO, 'configs/ava/genkd-structkd_fastrcnn-slowonly-r50-w8-to-r18-'
        'w4_1xb8-4x4x1-20e_synthetic-ava-rgb.py'))
    cfg.model.teacher_ckpt = ckpt
    cfg.train_cfg.max_epochs = 1
    cfg.train_dataloader.batch_size = 2
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].num_workers = 0
        cfg[loader].persistent_workers = False
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + DUMP
    cfg.custom_imports = dict(imports=['mmkd_video', 'rank_hooks'],
                              allow_failed_imports=False)
    path = str(tmp_path / 'ava.py')
    cfg.dump(path)
    work = str(tmp_path / 'work')
    train(['tools/dist_train.sh', path, '2', '--work-dir', work,
           '--no-validate', '--cfg-options', f'data_root={root}'],
          launch_env(rank_hooks_dir, port=29633))
    rank0 = torch.load(osp.join(work, 'rank0.pth'), weights_only=True)
    rank1 = torch.load(osp.join(work, 'rank1.pth'), weights_only=True)
    differ = [k for k in rank0 if not torch.equal(rank0[k], rank1[k])]
    assert not differ, differ
    assert any(k.startswith('distill_losses.') for k in rank0)  # critic
    assert any('.cvae.' in k and k.startswith('student.') for k in rank0)
