"""Our runtime's checkpoints: plain data only (stock weights-only torch
reads them, resume restores the message hub), never of a NaN model, and
written atomically. Real Runners on generated clips."""
import os.path as osp
import resource
import signal

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.runner import Runner

from mmkd_video.datasets import generate_dataset
from mmkd_video.utils import reroot_dataset_paths

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
STUDENT = 'configs/baselines/student_r3d18-w8_1xb8-8x2x1-20e_synthetic-rgb.py'


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('clips'))
    generate_dataset(root, num_classes=4, videos_per_class=2, num_frames=16,
                     size=64, seed=0, clips_per_group=1, val_ratio=0.3)
    return root


def runner(data_root, work_dir, epochs=1, lr=None, resume=False):
    cfg = Config.fromfile(osp.join(REPO, STUDENT))
    old_root = cfg.data_root
    cfg.data_root = data_root
    reroot_dataset_paths(cfg, old_root)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].num_workers = 0
        cfg[loader].persistent_workers = False
        cfg[loader].batch_size = 2
    cfg.train_cfg.max_epochs = epochs
    cfg.param_scheduler = []
    if lr is not None:
        cfg.optim_wrapper.optimizer.lr = lr
    cfg.work_dir = str(work_dir)
    cfg.resume = resume
    cfg.model_wrapper_cfg = None
    cfg.experiment_name = f'{osp.basename(str(work_dir))}-{epochs}-{resume}'
    return Runner.from_cfg(cfg)


def test_checkpoints_are_plain_and_resume(data_root, tmp_path):
    runner(data_root, tmp_path, epochs=1).train()
    path = str(tmp_path / 'epoch_1.pth')
    # nothing outside stock torch's weights-only allowlist
    assert torch.serialization.get_unsafe_globals_in_checkpoint(path) == []
    ckpt = torch.load(path, weights_only=True)
    assert 'train/loss' in ckpt['message_hub']['log_scalars']

    resumed = runner(data_root, tmp_path, epochs=2, resume=True)
    resumed.train()
    assert resumed.epoch == 2
    loss = resumed.message_hub.get_scalar('train/loss')
    assert isinstance(loss, HistoryBuffer)
    assert len(loss.data[0]) > 1  # epoch 1's values came back


def test_no_checkpoint_of_a_nan_model(data_root, tmp_path):
    """A plain recognizer (no distiller guard) diverging to NaN: the save
    is refused and nothing is written."""
    with pytest.raises(FloatingPointError, match='refusing to save'):
        runner(data_root, tmp_path, epochs=1, lr=1e30).train()
    assert not osp.exists(tmp_path / 'epoch_1.pth')
    assert not osp.exists(tmp_path / 'student_latest.pth')


def test_failed_write_keeps_the_previous_checkpoint(data_root, tmp_path):
    """A write that fails mid-file (file size limit, as a full disk does)
    leaves the previous checkpoint whole and no partial file."""
    first = runner(data_root, tmp_path, epochs=1)
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
