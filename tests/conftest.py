"""Test-wide set-up: our registries as the default scope, like a Runner."""
import pytest
from mmengine.registry import DefaultScope

import mmkd_video  # noqa: F401  (registers modules; patches stay off)


@pytest.fixture(autouse=True)
def mmkd_video_default_scope():
    with DefaultScope.overwrite_default_scope('mmkd_video'):
        yield


@pytest.fixture(scope='session')
def tiny_clips(tmp_path_factory):
    """Generated clips of 4 classes, 2 videos each (train and val splits):
    enough for a real Runner to train and validate in seconds."""
    from mmkd_video.datasets import generate_dataset
    root = str(tmp_path_factory.mktemp('tiny_clips'))
    generate_dataset(root, num_classes=4, videos_per_class=2, num_frames=16,
                     size=64, seed=0, clips_per_group=1, val_ratio=0.3)
    return root
