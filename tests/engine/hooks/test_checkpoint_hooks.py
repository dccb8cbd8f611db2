"""Our runtime's checkpoints: plain data only (stock weights-only torch
reads them, resume restores the message hub), never of a NaN model, and
written atomically. Real Runners on generated clips."""
import os.path as osp
import resource
import signal

import pytest
import torch
from student_runner import student_runner as runner
from mmengine.logging import HistoryBuffer


def test_checkpoints_are_plain_and_resume(tiny_clips, tmp_path):
    runner(tiny_clips, tmp_path, epochs=1).train()
    path = str(tmp_path / 'epoch_1.pth')
    # nothing outside stock torch's weights-only allowlist
    assert torch.serialization.get_unsafe_globals_in_checkpoint(path) == []
    ckpt = torch.load(path, weights_only=True)
    assert 'train/loss' in ckpt['message_hub']['log_scalars']

    resumed = runner(tiny_clips, tmp_path, epochs=2, resume=True)
    resumed.train()
    assert resumed.epoch == 2
    loss = resumed.message_hub.get_scalar('train/loss')
    assert isinstance(loss, HistoryBuffer)
    assert len(loss.data[0]) > 1  # epoch 1's values came back


def test_no_checkpoint_of_a_nan_model(tiny_clips, tmp_path):
    """A plain recognizer (no distiller guard) diverging to NaN: the save
    is refused and nothing is written."""
    with pytest.raises(FloatingPointError, match='refusing to save'):
        runner(tiny_clips, tmp_path, epochs=1, lr=1e30).train()
    assert not osp.exists(tmp_path / 'epoch_1.pth')
    assert not osp.exists(tmp_path / 'student_latest.pth')


def test_failed_write_keeps_the_previous_checkpoint(tiny_clips, tmp_path):
    """A write that fails mid-file (file size limit, as a full disk does)
    leaves the previous checkpoint whole and no partial file."""
    first = runner(tiny_clips, tmp_path, epochs=1)
    first.train()
    path = tmp_path / 'epoch_1.pth'
    good = path.read_bytes()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (len(good) // 2, hard))
    try:
        with pytest.raises(OSError, match='previous file there, if any, '
                           'is unchanged'):
            first.save_checkpoint(str(tmp_path), 'epoch_1.pth',
                                  backend_args=dict(backend='atomic_local'))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir() if '.tmp.' in p.name] == []
