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
