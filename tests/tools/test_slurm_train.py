"""tools/slurm_train.sh and tools/slurm_test.sh on a real single-node SLURM
cluster (slurmctld + slurmd + munge, started by tests/slurm/local_cluster.sh;
2 tasks, gloo on CPU)."""
import os
import os.path as osp
import shutil
import subprocess
import tempfile
import time

import pytest
import torch
from launch_helpers import REPO, deterministic_config, launch_env, logged

pytestmark = pytest.mark.slow

CLUSTER = osp.join(REPO, 'tests', 'slurm', 'local_cluster.sh')
KD = 'configs/baselines/kd_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py'


@pytest.fixture(scope='module')
def slurm_conf():
    if os.geteuid() != 0:
        pytest.skip('the local SLURM cluster needs root (munged runs as '
                    'user munge, slurmd as root); CI runs as root')
    subprocess.run([CLUSTER, 'install'], check=True, timeout=600)
    # not under pytest's tmp: munged must be able to enter the folder
    folder = tempfile.mkdtemp(prefix='mmkd-slurm-', dir='/tmp')
    subprocess.run([CLUSTER, 'start', folder], check=True, timeout=120)
    yield osp.join(folder, 'slurm.conf')
    subprocess.run([CLUSTER, 'stop', folder], timeout=60)
    shutil.rmtree(folder, ignore_errors=True)


def slurm_env(slurm_conf, rank_hooks_dir, port):
    env = launch_env(rank_hooks_dir, port=port)
    # 2 tasks on this node, no GPUs to ask for
    env.update(SLURM_CONF=slurm_conf, GPUS='2', GPUS_PER_NODE='2',
               CPUS_PER_TASK='1', GRES='')
    return env


def run(args, env, timeout=600):
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_slurm_train_two_tasks_match_one_process(
        slurm_conf, launch_data, random_checkpoint, rank_hooks_dir,
        tmp_path):
    ckpt = random_checkpoint('demo_teacher_r3d18.py')
    common = dict(data_root=launch_data, teacher_ckpt=ckpt, bn_eval=True)
    two = deterministic_config(
        KD, out=str(tmp_path / 'two.py'), batch_size=2, **common,
        extra_hooks=[dict(type='DumpRankWeights')])
    one = deterministic_config(KD, out=str(tmp_path / 'one.py'),
                               batch_size=4, **common)
    env = slurm_env(slurm_conf, rank_hooks_dir, port=29651)
    work2, work1 = str(tmp_path / 'w2'), str(tmp_path / 'w1')
    job = run(['tools/slurm_train.sh', 'debug', 'mmkd-kd', two, work2], env)
    assert job.returncode == 0, job.stdout[-3000:] + job.stderr[-3000:]
    single = run([env['PYTHON'], 'tools/train.py', one, '--work-dir',
                  work1], env)
    assert single.returncode == 0, single.stderr[-3000:]

    # one process with the same global batch, iteration by iteration
    loss2, loss1 = logged(work2), logged(work1)
    assert len(loss2) == len(loss1) == 5
    assert loss2 == pytest.approx(loss1, rel=1e-4)
    # both tasks hold the same weights at the end
    rank0 = torch.load(osp.join(work2, 'rank0.pth'), weights_only=True)
    rank1 = torch.load(osp.join(work2, 'rank1.pth'), weights_only=True)
    assert all(torch.equal(rank0[k], rank1[k]) for k in rank0)

    # and slurm_test.sh evaluates the checkpoint with 2 tasks
    test = run(['tools/slurm_test.sh', 'debug', 'mmkd-test', two,
                osp.join(work2, 'epoch_1.pth'), '--work-dir',
                str(tmp_path / 'test')], env)
    assert test.returncode == 0, test.stdout[-3000:] + test.stderr[-3000:]
    assert "'acc/top1':" in test.stdout


def test_a_dying_task_ends_the_job_with_an_error(
        slurm_conf, launch_data, random_checkpoint, rank_hooks_dir,
        tmp_path):
    """Rank 1 exits after its 2nd iteration while rank 0 is busy outside
    any collective for 10 min: srun --kill-on-bad-exit ends rank 0 at once
    (without it the job runs those 10 min and then fails in the next
    all-reduce, or hangs if the dead rank's node stays silent)."""
    ckpt = random_checkpoint('demo_teacher_r3d18.py')
    cfg = deterministic_config(
        KD, data_root=launch_data, teacher_ckpt=ckpt, batch_size=2,
        max_epochs=3, out=str(tmp_path / 'die.py'),
        extra_hooks=[dict(type='DieOnRank', rank=1, iteration=2,
                          others_sleep=600)])
    env = slurm_env(slurm_conf, rank_hooks_dir, port=29652)
    start = time.monotonic()
    job = run(['tools/slurm_train.sh', 'debug', 'mmkd-die', cfg,
               str(tmp_path / 'w')], env, timeout=300)
    assert job.returncode != 0
    assert time.monotonic() - start < 180
    assert 'task 1: Exited with exit code 3' in job.stderr
