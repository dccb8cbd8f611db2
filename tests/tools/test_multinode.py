"""Two nodes on one machine: tools/slurm_train.sh (GPUS=2 GPUS_PER_NODE=1)
and tools/dist_train.sh (NNODES=2) with one rank per node, gloo on CPU.

The nodes are network namespaces joined by a veth pair (10.77.0.1 node1,
10.77.0.2 node2), each with its own slurmd; tests/slurm/two_node_cluster.sh
starts and stops them. The ranks find each other as on a real cluster:
MASTER_ADDR from SLURM_NODELIST (srun) or given (torchrun), hostnames that
resolve to the node's address, traffic over the veth link.
"""
import itertools
import os
import os.path as osp
import shutil
import subprocess
import tempfile
import time

import pytest
import torch
from launch_helpers import REPO, deterministic_config, launch_env, logged
from mmengine.config import Config
from mmengine.registry import DefaultScope

pytestmark = pytest.mark.slow

CLUSTER = osp.join(REPO, 'tests', 'slurm', 'two_node_cluster.sh')
KD = 'configs/baselines/kd_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
GENKD = ('configs/genkd/'
         'genkd-phase2_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py')
DUMP = dict(type='DumpRankWeights')
# the fault tests train on 8 clips, 2 per rank: 2 iterations an epoch;
# faults hit iteration 3, in the middle of epoch 2
FAULT_CLIPS, FAULT_ITER = 8, 3
_runs = itertools.count()


@pytest.fixture(scope='module')
def two_nodes():
    if os.geteuid() != 0:
        pytest.skip('the two-node cluster needs root (network namespaces, '
                    'munged as user munge, slurmd as root); CI runs as root')
    subprocess.run([CLUSTER, 'install'], check=True, timeout=600)
    # not under pytest's tmp: munged must be able to enter the folder
    folder = tempfile.mkdtemp(prefix='mmkd-2nodes-', dir='/tmp')
    try:
        subprocess.run([CLUSTER, 'start', folder], check=True, timeout=120)
        yield osp.join(folder, 'slurm.conf')
    finally:
        subprocess.run([CLUSTER, 'stop', folder], timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def on(node, *args):
    return [CLUSTER, 'on', node, *args]


def start(args, log_path, env):
    return subprocess.Popen(args, cwd=REPO, env=env,
                            stdout=open(log_path, 'w'),
                            stderr=subprocess.STDOUT)


def wait_all(procs, timeout=150):
    """Wait for every process; returns their exit codes and end times."""
    ends = [None] * len(procs)
    deadline = time.monotonic() + timeout
    while None in ends:
        for i, proc in enumerate(procs):
            if ends[i] is None and proc.poll() is not None:
                ends[i] = time.time()
        if time.monotonic() > deadline:
            for proc in procs:  # ours, by id; the fixture clears the nodes
                proc.kill()
            raise AssertionError(f'still running after {timeout} s')
        time.sleep(0.2)
    return [p.returncode for p in procs], ends


def slurm_train(slurm_conf, config, work, env, *extra):
    """tools/slurm_train.sh on node1 (the submitting host): one task per
    node. Returns (exit code, output, end time)."""
    env = dict(env, SLURM_CONF=slurm_conf, GPUS='2', GPUS_PER_NODE='1',
               CPUS_PER_TASK='1', GRES='')
    log = f'{work}.{next(_runs)}.slurm.log'
    proc = start(on('node1', 'tools/slurm_train.sh', 'debug', 'mmkd-2n',
                    config, work, *extra), log, env)
    (code, ), (end, ) = wait_all([proc])
    return code, open(log).read(), end


def torchrun_train(config, work, env, port, *extra):
    """tools/dist_train.sh on both nodes (NNODES=2, one process each).
    Returns the exit codes, outputs and end times of node1 and node2."""
    procs, logs = [], []
    for rank, node in enumerate(('node1', 'node2')):
        node_env = dict(env, NNODES='2', NODE_RANK=str(rank),
                        MASTER_ADDR='node1', PORT=str(port))
        logs.append(f'{work}.{next(_runs)}.{node}.log')
        procs.append(start(on(node, 'tools/dist_train.sh', config, '1',
                              '--work-dir', work, *extra), logs[-1],
                           node_env))
    codes, ends = wait_all(procs)
    return codes, [open(log).read() for log in logs], ends


def ranks_identical(work):
    """Both ranks' final weights, bit for bit; they ran on both nodes."""
    hosts = {open(osp.join(work, f'rank{r}.host')).read() for r in (0, 1)}
    assert hosts == {'node1', 'node2'}
    rank0 = torch.load(osp.join(work, 'rank0.pth'), weights_only=True)
    rank1 = torch.load(osp.join(work, 'rank1.pth'), weights_only=True)
    assert rank0.keys() == rank1.keys()
    differ = [k for k in rank0 if not torch.equal(rank0[k], rank1[k])]
    assert not differ, differ


def same_final_weights(work_a, work_b, epoch=2):
    a = torch.load(osp.join(work_a, f'epoch_{epoch}.pth'),
                   weights_only=True)['state_dict']
    b = torch.load(osp.join(work_b, f'epoch_{epoch}.pth'),
                   weights_only=True)['state_dict']
    assert a.keys() == b.keys()
    differ = [k for k in a if not torch.equal(a[k], b[k])]
    assert not differ, differ


def fault_time(work):
    return float(open(osp.join(work, 'fault_at')).read())


@pytest.fixture(scope='module')
def kd_one_process(launch_data, random_checkpoint, rank_hooks_dir,
                   tmp_path_factory):
    """KD, BN in eval: the 2-rank config (2 clips a rank) and the losses of
    one process with the same global batch (4 clips)."""
    folder = tmp_path_factory.mktemp('kd_one_process')
    # module scope: before the test-wide default scope fixture runs
    with DefaultScope.overwrite_default_scope('mmkd_video'):
        ckpt = random_checkpoint('demo_teacher_r3d18.py')
    common = dict(data_root=launch_data, bn_eval=True, teacher_ckpt=ckpt)
    two = deterministic_config(KD, out=str(folder / 'two.py'), batch_size=2,
                               extra_hooks=[DUMP], **common)
    one = deterministic_config(KD, out=str(folder / 'one.py'), batch_size=4,
                               **common)
    env = launch_env(rank_hooks_dir)
    proc = subprocess.run([env['PYTHON'], 'tools/train.py', one,
                           '--work-dir', str(folder / 'w1')], cwd=REPO,
                          env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    losses = logged(str(folder / 'w1'))
    assert len(losses) == 5 and losses[0] != losses[-1]
    return two, losses


def test_slurm_two_nodes_match_one_process(two_nodes, kd_one_process,
                                           rank_hooks_dir, tmp_path):
    two, loss1 = kd_one_process
    work = str(tmp_path / 'w2')
    env = launch_env(rank_hooks_dir, port=29661)
    code, out, _ = slurm_train(two_nodes, two, work, env)
    assert code == 0, out[-5000:]
    # rank 0 on node1 hosted the rendezvous: MASTER_ADDR from SLURM_NODELIST
    assert logged(work) == pytest.approx(loss1, rel=1e-4)
    ranks_identical(work)


def test_torchrun_two_nodes_match_one_process(two_nodes, kd_one_process,
                                              rank_hooks_dir, tmp_path):
    two, loss1 = kd_one_process
    work = str(tmp_path / 'w2')
    codes, outs, _ = torchrun_train(two, work, launch_env(rank_hooks_dir),
                                    29671)
    assert codes == [0, 0], outs[0][-4000:] + outs[1][-4000:]
    assert logged(work) == pytest.approx(loss1, rel=1e-4)
    ranks_identical(work)


@pytest.fixture(scope='module')
def genkd_two_nodes(two_nodes, launch_data, random_checkpoint,
                    rank_hooks_dir, tmp_path_factory):
    """GenKD phase 2 (two optimizers: CVAE and network) for the fault tests:
    2 epochs of FAULT_CLIPS clips; the plain config, one copy per fault, and
    the work dir of an uninterrupted torchrun run on the two nodes (whose
    ranks end bit-identical)."""
    folder = tmp_path_factory.mktemp('genkd_two_nodes')
    with DefaultScope.overwrite_default_scope('mmkd_video'):
        ckpt = random_checkpoint('demo_teacher_r3d18_genkd.py')
    common = dict(data_root=launch_data, batch_size=2, max_epochs=2,
                  teacher_ckpt=ckpt)

    def write(name, *hooks):
        path = deterministic_config(GENKD, out=str(folder / f'{name}.py'),
                                    extra_hooks=[DUMP, *hooks], **common)
        cfg = Config.fromfile(path, import_custom_modules=False)
        cfg.train_dataloader.dataset.indices = FAULT_CLIPS
        cfg.dump(path)
        return path

    def die(how):
        return dict(type='DieOnRank', rank=1, iteration=FAULT_ITER, how=how)

    configs = dict(
        plain=write('plain'),
        kill_node=write('kill_node', die('sigkill_node')),
        kill_task=write('kill_task', die('sigkill')),
        link=write('link', dict(type='LinkDownOnRank', rank=1,
                                iteration=FAULT_ITER)))
    straight = str(folder / 'straight')
    codes, outs, _ = torchrun_train(configs['plain'], straight,
                                    launch_env(rank_hooks_dir), 29672)
    assert codes == [0, 0], outs[0][-4000:] + outs[1][-4000:]
    return configs, straight


def resumed_torchrun(configs, work, straight, env, port):
    """--resume on the two nodes ends where the uninterrupted run did."""
    codes, outs, _ = torchrun_train(configs['plain'], work, env, port,
                                    '--resume')
    assert codes == [0, 0], outs[0][-4000:] + outs[1][-4000:]
    assert 'resumed epoch: 1' in outs[0]
    same_final_weights(straight, work)
    ranks_identical(work)


def test_torchrun_two_optimizers_node_kill_and_resume(
        genkd_two_nodes, rank_hooks_dir, tmp_path):
    """node2 dies (its torchrun agent and rank, kill -9) mid-epoch: node1
    stops within seconds naming rank 1; --resume on two nodes ends
    bit-identical to the uninterrupted run."""
    configs, straight = genkd_two_nodes
    ranks_identical(straight)
    env = launch_env(rank_hooks_dir)
    work = str(tmp_path / 'killed')
    codes, outs, ends = torchrun_train(configs['kill_node'], work, env, 29673)
    assert codes[0] != 0 and codes[1] != 0
    assert 'rank 0 lost rank 1 on node2 (10.77.0.2)' in outs[0], \
        outs[0][-5000:]
    print(f'node1 stopped {ends[0] - fault_time(work):.1f} s after '
          'node2 died')
    assert ends[0] - fault_time(work) < 30, 'node1 outlived node2'
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
    assert not osp.exists(osp.join(work, 'epoch_2.pth'))  # mid-epoch 2
    resumed_torchrun(configs, work, straight, env, 29674)


def test_torchrun_link_down_ends_after_the_timeout_and_resumes(
        genkd_two_nodes, rank_hooks_dir, tmp_path):
    """node2's link goes down mid-epoch: both ranks stop after the
    configured collective timeout (env_cfg.dist_cfg.timeout), saying so;
    --resume on two nodes ends bit-identical to the uninterrupted run."""
    configs, straight = genkd_two_nodes
    env = launch_env(rank_hooks_dir)
    timeout = 15
    work = str(tmp_path / 'cut')
    try:
        codes, outs, ends = torchrun_train(
            configs['link'], work, env, 29675, '--cfg-options',
            f'env_cfg.dist_cfg.timeout={timeout}')
    finally:
        subprocess.run([CLUSTER, 'link', 'node2', 'up'], check=True)
    assert codes[0] != 0 and codes[1] != 0
    for out in outs:
        assert f'collective timeout ({timeout} s, ' \
               'env_cfg.dist_cfg.timeout)' in out, out[-5000:]
    print(f'both nodes stopped {max(ends) - fault_time(work):.1f} s after '
          f'the link went down (timeout {timeout} s)')
    assert max(ends) - fault_time(work) < timeout + 45, 'a node hung'
    assert not osp.exists(osp.join(work, 'epoch_2.pth'))
    resumed_torchrun(configs, work, straight, env, 29676)


def test_slurm_task_kill_ends_the_job_within_seconds(
        two_nodes, genkd_two_nodes, rank_hooks_dir, tmp_path):
    """kill -9 of the task on node2 mid-epoch ends the SLURM job within
    seconds; srun names the task (= rank) and its node."""
    configs, _ = genkd_two_nodes
    work = str(tmp_path / 'killed')
    env = launch_env(rank_hooks_dir, port=29662)
    code, out, end = slurm_train(two_nodes, configs['kill_task'], work, env)
    assert code != 0
    assert 'node2: task 1: Killed' in out, out[-5000:]
    print(f'SLURM job ended {end - fault_time(work):.1f} s after the kill')
    assert end - fault_time(work) < 30, 'the job outlived its dead task'
    assert not osp.exists(osp.join(work, 'epoch_2.pth'))  # mid-epoch 2


def nodes_idle(slurm_conf, within=90):
    """Wait until slurmctld lists both nodes idle again."""
    env = dict(os.environ, SLURM_CONF=slurm_conf)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        states = subprocess.run(on('node1', 'sinfo', '-h', '-N', '-o', '%T'),
                                env=env, capture_output=True,
                                text=True).stdout.split()
        if states == ['idle', 'idle']:
            return
        time.sleep(1)
    raise AssertionError(f'nodes not idle after {within} s: {states}')


def test_slurm_link_down_ends_the_job_and_resumes(
        two_nodes, genkd_two_nodes, rank_hooks_dir, tmp_path):
    """node2's link goes down mid-epoch: rank 0 stops after the collective
    timeout, and srun ends when slurmctld declares node2 lost
    (SlurmdTimeout, 20 s on the test cluster). Once node2 is back,
    --resume with srun on the two nodes ends bit-identical to the
    uninterrupted (torchrun) run, both ranks equal."""
    configs, straight = genkd_two_nodes
    work = str(tmp_path / 'cut')
    timeout = 15
    env = launch_env(rank_hooks_dir, port=29663)
    try:
        code, out, end = slurm_train(
            two_nodes, configs['link'], work, env, '--cfg-options',
            f'env_cfg.dist_cfg.timeout={timeout}')
    finally:
        subprocess.run([CLUSTER, 'link', 'node2', 'up'], check=True)
    assert code != 0
    assert f'rank 0 waited longer than the collective timeout ({timeout} s' \
        in out, out[-5000:]
    assert 'Node failure on node2' in out, out[-5000:]
    print(f'SLURM job ended {end - fault_time(work):.1f} s after the link '
          f'went down (timeout {timeout} s, SlurmdTimeout 20 s)')
    assert end - fault_time(work) < 20 + 45, 'the job hung'
    assert not osp.exists(osp.join(work, 'epoch_2.pth'))

    nodes_idle(two_nodes)
    env = launch_env(rank_hooks_dir, port=29664)
    code, out, _ = slurm_train(two_nodes, configs['plain'], work, env,
                               '--resume')
    assert code == 0, out[-5000:]
    assert 'resumed epoch: 1' in out
    same_final_weights(straight, work)
    ranks_identical(work)
