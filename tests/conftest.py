"""Test-wide set-up: our registries as the default scope, like a Runner."""
import pytest
from mmengine.registry import DefaultScope

import mmkd_video  # noqa: F401  (registers modules; patches stay off)


@pytest.fixture(autouse=True)
def mmkd_video_default_scope():
    with DefaultScope.overwrite_default_scope('mmkd_video'):
        yield
