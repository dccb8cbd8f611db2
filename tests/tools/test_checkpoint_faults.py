"""A training process killed in the middle of writing a checkpoint, then
``--resume``: the previous checkpoint is whole and the run continues from
it. And a work dir that cannot be written fails at once, in one line."""
import os.path as osp
import resource
import signal
import subprocess
import sys

import pytest
import torch


REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
STUDENT = 'configs/baselines/student_r3d18-w8_1xb8-8x2x1-20e_synthetic-rgb.py'


# Python ignores SIGXFSZ, so past a file size limit a write fails (EFBIG);
# with the default action restored the kernel kills the process mid-write.
DIE_ON_FILE_LIMIT = ('import runpy, signal, sys; '
                     'signal.signal(signal.SIGXFSZ, signal.SIG_DFL); '
                     'sys.argv = sys.argv[1:]; '
                     "runpy.run_path(sys.argv[0], run_name='__main__')")


def train(data_root, work, epochs, *extra, file_limit=None, die=False):
    options = [f'data_root={data_root}', f'train_cfg.max_epochs={epochs}',
               'param_scheduler=[]']
    for loader in ('train', 'val', 'test'):
        options += [f'{loader}_dataloader.num_workers=0',
                    f'{loader}_dataloader.persistent_workers=False',
                    f'{loader}_dataloader.batch_size=4']

    def limit_file_size():  # the kernel sends SIGXFSZ past it: a kill
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE,
                               (file_limit, resource.RLIM_INFINITY))

    launcher = ['-c', DIE_ON_FILE_LIMIT] if die else []
    return subprocess.run(
        [sys.executable, *launcher, 'tools/train.py', STUDENT, '--work-dir',
         str(work),
         *extra, '--cfg-options', *options], cwd=REPO, capture_output=True,
        text=True, timeout=600, preexec_fn=limit_file_size)


@pytest.mark.slow
def test_killed_during_save_then_resume(tiny_clips, tmp_path):
    done = train(tiny_clips, tmp_path, 2)
    assert done.returncode == 0, done.stderr[-3000:]
    epoch_2 = tmp_path / 'epoch_2.pth'
    good = epoch_2.read_bytes()

    # epoch 3's save fails half-way (EFBIG, as a full disk fails)
    failed = train(tiny_clips, tmp_path, 3, '--resume',
                   file_limit=len(good) // 2)
    assert failed.returncode == 1
    last = failed.stderr.strip().splitlines()[-1]
    assert 'epoch_3.pth' in last and 'is unchanged' in last, last
    assert not [p for p in tmp_path.iterdir() if '.tmp.' in p.name]
    assert epoch_2.read_bytes() == good
    assert not osp.exists(tmp_path / 'epoch_3.pth')

    # the process is killed in the middle of writing epoch 3
    killed = train(tiny_clips, tmp_path, 3, '--resume',
                   file_limit=len(good) // 2, die=True)
    assert killed.returncode == -signal.SIGXFSZ, killed.stderr[-3000:]
    assert epoch_2.read_bytes() == good
    assert not osp.exists(tmp_path / 'epoch_3.pth')
    assert open(tmp_path / 'last_checkpoint').read().strip() == str(epoch_2)

    again = train(tiny_clips, tmp_path, 3, '--resume')
    assert again.returncode == 0, again.stderr[-3000:]
    assert 'resumed epoch: 2' in again.stdout + again.stderr
    ckpt = torch.load(tmp_path / 'epoch_3.pth', weights_only=True)
    assert ckpt['meta']['epoch'] == 3


def test_unwritable_work_dir_is_one_clear_error(tiny_clips, tmp_path):
    blocker = tmp_path / 'a_file'
    blocker.write_text('not a folder')
    proc = train(tiny_clips, blocker / 'work', 1)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('PermissionError: the work dir')
    assert 'cannot be written' in last and '--work-dir' in last
