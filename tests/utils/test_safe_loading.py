"""Checkpoints load weights-only: mmengine Runner checkpoints do, a file that
would run code is refused with one clear error, and the opt-in works."""
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.logging import MessageHub
from mmengine.runner import load_checkpoint, save_checkpoint
from mmengine.runner.checkpoint import _load_checkpoint

from mmkd_video.compat import (allow_mmengine_checkpoints_weights_only,
                               mmengine_checkpoint_safe_globals)
from mmkd_video.engine.hooks.random_state_hook import get_random_states
from mmkd_video.utils import UnsafeCheckpointError
from mmkd_video.utils.safe_loading import TRUST_ENV

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


class RunsCode:
    """Unpickling this runs a shell command (what a hostile file does)."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}',)


def runner_like_checkpoint(path: str) -> None:
    """What ``Runner.save_checkpoint`` writes, with real mmengine parts."""
    model = nn.Sequential(nn.Conv3d(3, 4, 1), nn.BatchNorm3d(4))
    optim = torch.optim.AdamW(model.parameters())
    model(torch.randn(2, 3, 1, 2, 2)).sum().backward()
    optim.step()
    hub = MessageHub.get_instance('safe-loading-test')
    for i in range(3):
        hub.update_scalar('train/loss', float(i))
        hub.update_scalar('train/lr', np.float64(1e-3))
    hub.update_info('epoch', 1)
    hub.update_info('best_score', np.float64(0.5))
    save_checkpoint(dict(meta=dict(epoch=1, seed=0, mmengine_version='x'),
                         state_dict=model.state_dict(),
                         optimizer=optim.state_dict(),
                         message_hub=hub.state_dict(),
                         random_states=[get_random_states()]), path)


def test_runner_checkpoint_needs_exactly_the_allowlist(tmp_path):
    path = str(tmp_path / 'epoch_1.pth')
    runner_like_checkpoint(path)
    allowed = {f'{g.__module__}.{g.__qualname__}'
               for g in mmengine_checkpoint_safe_globals()}
    torch.serialization.clear_safe_globals()  # what torch alone refuses
    try:
        needed = set(
            torch.serialization.get_unsafe_globals_in_checkpoint(path))
    finally:
        allow_mmengine_checkpoints_weights_only()
    assert needed <= allowed
    # nothing registered that such a checkpoint does not use, except the
    # numpy dtype classes that numpy>=1.25 pickles for non-default dtypes
    unused = allowed - needed
    assert all(name.startswith('numpy.dtypes.') for name in unused), unused
    ckpt = _load_checkpoint(path, map_location='cpu')  # weights-only
    assert ckpt['message_hub']['log_scalars']['train/loss'].current() == 2.0


def test_code_running_checkpoint_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    marker = tmp_path / 'code_ran'
    path = str(tmp_path / 'hostile.pth')
    model = nn.Linear(2, 2)
    torch.save({'state_dict': model.state_dict(),
                'meta': {'note': RunsCode(str(marker))}}, path)
    with pytest.raises(UnsafeCheckpointError) as info:
        load_checkpoint(model, path)  # mmengine's API: our local loader
    message = str(info.value)
    assert path in message and 'GLOBAL posix.system' in message
    assert '--trust-checkpoint' in message and TRUST_ENV in message
    assert not marker.exists()

    # the documented opt-in really loads with full pickle (and so runs it)
    monkeypatch.setenv(TRUST_ENV, '1')
    _load_checkpoint(path, map_location='cpu')
    assert marker.exists()


def test_tool_refuses_then_loads_with_the_flag(tmp_path):
    marker = tmp_path / 'code_ran'
    path = str(tmp_path / 'hostile.pth')
    torch.save({'state_dict': {'student.w': torch.ones(1)},
                'meta': {'note': RunsCode(str(marker))}}, path)
    env = {k: v for k, v in os.environ.items() if k != TRUST_ENV}
    cmd = [sys.executable, 'tools/export_student.py', path,
           str(tmp_path / 'out.pth')]
    refused = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True,
                             text=True, timeout=300)
    assert refused.returncode != 0
    assert 'UnsafeCheckpointError: refusing to load' in refused.stderr
    assert not marker.exists()
    trusted = subprocess.run(cmd + ['--trust-checkpoint'], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=300)
    assert trusted.returncode == 0, trusted.stderr[-2000:]
    assert marker.exists()
