"""kill -9 in the middle of an epoch, then ``tools/train.py --resume``: the
run ends bit-identical to one that was never interrupted."""
import os.path as osp
import subprocess

import pytest
import torch
from launch_helpers import REPO, deterministic_config, launch_env

pytestmark = pytest.mark.slow

GENKD = ('configs/genkd/'
         'genkd-phase2_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py')


def train(cfg, work, env, *extra):
    return subprocess.run([env['PYTHON'], 'tools/train.py', cfg,
                           '--work-dir', work, *extra], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def test_resume_after_kill9_is_bit_identical(launch_data, random_checkpoint,
                                             rank_hooks_dir, tmp_path):
    """GenKD phase 2 with everything that must survive a resume: two
    optimizers (CVAE, network) and their schedulers, the reconstruction
    loss's warm-up ramp (by epoch), CVAE noise, dropout, random crops and
    flips, validation between epochs."""
    ckpt = random_checkpoint('demo_teacher_r3d18_genkd.py')
    common = dict(data_root=launch_data, teacher_ckpt=ckpt, batch_size=2,
                  max_epochs=3, val=True, augment=True)
    plain = deterministic_config(GENKD, out=str(tmp_path / 'plain.py'),
                                 **common)
    # 20 clips / 2 = 10 iterations per epoch: die in iteration 14 (epoch 2)
    killed = deterministic_config(
        GENKD, out=str(tmp_path / 'killed.py'), **common,
        extra_hooks=[dict(type='DieOnRank', rank=0, iteration=14,
                          how='sigkill')])
    env = launch_env(rank_hooks_dir)

    straight = str(tmp_path / 'straight')
    done = train(plain, straight, env)
    assert done.returncode == 0, done.stderr[-3000:]

    resumed = str(tmp_path / 'resumed')
    died = train(killed, resumed, env)
    assert died.returncode == -9, died.stderr[-3000:]
    assert osp.isfile(osp.join(resumed, 'epoch_1.pth'))
    assert not osp.exists(osp.join(resumed, 'epoch_2.pth'))  # mid-epoch
    again = train(plain, resumed, env, '--resume')
    assert again.returncode == 0, again.stderr[-3000:]
    assert 'resumed epoch: 1' in again.stdout + again.stderr

    a = torch.load(osp.join(straight, 'epoch_3.pth'), weights_only=True)
    b = torch.load(osp.join(resumed, 'epoch_3.pth'), weights_only=True)
    differ = [k for k in a['state_dict']
              if not torch.equal(a['state_dict'][k], b['state_dict'][k])]
    assert not differ, differ
    for name in ('cvae', 'network'):  # both optimizers' moments
        sa, sb = a['optimizer'][name]['state'], b['optimizer'][name]['state']
        assert sa.keys() == sb.keys()
        for i in sa:
            for key, value in sa[i].items():
                assert torch.equal(torch.as_tensor(value),
                                   torch.as_tensor(sb[i][key])), (name, key)
    assert a['param_schedulers'] == b['param_schedulers']
    assert len(a['random_states']) == 1
