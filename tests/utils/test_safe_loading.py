"""Checkpoints cannot run code when loaded, at any load point, and every
unreadable file gets one line naming it and its role.

The gadgets below are the chains an attacker splices into a real
checkpoint: through ``builtins.getattr`` to ``eval``, through a
HistoryBuffer method to a module's globals, through numpy reconstruction,
or straight to ``os.system``. Each is first shown to run code under full
pickle (so the test would catch a loader that lets it through), then
refused by every load point.
"""
import http.server
import os
import os.path as osp
import pickle
import subprocess
import sys
import threading

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner import load_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

from mmkd_video.engine.hooks.random_state_hook import get_random_states
from mmkd_video.apis import export_student
from mmkd_video.registry import MODELS
from mmkd_video.utils import (CheckpointReadError, UnsafeCheckpointError,
                              declare_checkpoint_role, load_checkpoint_file)
from mmkd_video.utils.safe_loading import (TRUST_ENV,
                                           check_no_full_pickle_loaders,
                                           mmengine_checkpoint_globals)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


class Call:
    """Pickles as ``fn(*args)``; nests, so chains of calls can be built."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __call__(self):  # pickle wants the reduce target to be callable
        raise AssertionError('never called here')

    def __reduce__(self):
        return self.fn, self.args


def gadgets(marker: str) -> dict:
    command = f"__import__('os').system('touch {marker}')"
    builtins_module = Call(getattr, getattr, '__self__')
    eval_fn = Call(getattr, builtins_module, 'eval')
    module_globals = Call(getattr, Call(getattr, HistoryBuffer, 'mean'),
                          '__globals__')
    builtins_dict = Call(dict.get, module_globals, '__builtins__')
    return {
        'getattr->eval': Call(eval_fn, command),
        'HistoryBuffer method->__globals__->eval': Call(
            Call(dict.get, builtins_dict, 'eval'), command),
        'HistoryBuffer->__init__->eval': Call(
            HistoryBuffer, Call(eval_fn, f'[{command}]'), [1]),
        'numpy reconstruct->eval': Call(
            np.core.multiarray._reconstruct, Call(eval_fn, command), (0,),
            b'b'),
        'os.system': Call(os.system, f'touch {marker}'),
    }


def runner_like_checkpoint(path: str, extra=None, protocol: int = 2) -> None:
    """What mmengine's ``Runner.save_checkpoint`` writes without our
    hooks: HistoryBuffers, numpy values, optimizer state."""
    model = nn.Sequential(nn.Conv3d(3, 4, 1), nn.BatchNorm3d(4))
    optim = torch.optim.AdamW(model.parameters())
    model(torch.randn(2, 3, 1, 2, 2)).sum().backward()
    optim.step()
    hub = MessageHub.get_instance('safe-loading-test')
    for i in range(3):
        hub.update_scalar('train/loss', float(i))
        hub.update_scalar('train/lr', np.float64(1e-3))
    hub.update_info('best_score', np.float64(0.5))
    meta = dict(epoch=1, seed=0, mmengine_version='x')
    if extra is not None:
        meta['note'] = extra
    # what mmengine's save_checkpoint does, with a choice of protocol
    torch.save(dict(meta=meta, state_dict=model.state_dict(),
                    optimizer=optim.state_dict(),
                    message_hub=hub.state_dict(),
                    random_states=[get_random_states()]), path,
               pickle_protocol=protocol)


@pytest.fixture(autouse=True)
def untrusted(monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)


@pytest.mark.parametrize('name', list(gadgets('x')))
def test_gadget_runs_under_full_pickle_and_is_refused(tmp_path, name):
    marker = tmp_path / 'code_ran'
    path = str(tmp_path / 'hostile.pth')
    runner_like_checkpoint(path, gadgets(str(marker))[name])
    try:  # the chain really reaches code (some raise after it ran)
        torch.load(path, weights_only=False)
    except Exception:
        pass
    assert marker.exists(), 'the gadget does not reach code'
    marker.unlink()

    for protocol in (2, 4):
        if protocol == 4:
            runner_like_checkpoint(path, gadgets(str(marker))[name], 4)
            marker.unlink(missing_ok=True)
        with pytest.raises(UnsafeCheckpointError) as info:
            load_checkpoint_file(path, map_location='cpu')
        assert path in str(info.value)
        assert '--trust-checkpoint' in str(info.value)
        assert not marker.exists()


def test_refused_at_every_load_point(tmp_path):
    """teacher_ckpt, load_from/--resume (Runner), export, and test all load
    through the same loader; each refuses and names its role."""
    marker = tmp_path / 'code_ran'
    teacher_cfg = dict(
        type='Recognizer3D',
        backbone=dict(type='ResNet3d', depth=18, pretrained=None,
                      pretrained2d=False, base_channels=4,
                      conv1_kernel=(1, 7, 7), inflate=(0, 0, 1, 1)),
        cls_head=dict(type='I3DHead', num_classes=4, in_channels=32))
    teacher = MODELS.build(teacher_cfg)
    path = str(tmp_path / 'epoch_1.pth')
    torch.save(dict(state_dict={f'student.{k}': v for k, v in
                                teacher.state_dict().items()},
                    meta=dict(note=gadgets(str(marker))['getattr->eval'])),
               path)

    with pytest.raises(UnsafeCheckpointError, match='teacher checkpoint'):
        MODELS.build(dict(type='VideoDistiller', student=teacher_cfg,
                          teacher=teacher_cfg, teacher_ckpt=path,
                          teacher_ckpt_prefix='student.'))
    declare_checkpoint_role(path, '--resume checkpoint')
    with pytest.raises(UnsafeCheckpointError, match='--resume checkpoint'):
        _load_checkpoint(path, map_location='cpu')  # Runner.resume's call
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint(teacher, path)  # load_from, init_cfg Pretrained
    with pytest.raises(UnsafeCheckpointError, match='to export'):
        export_student(path, str(tmp_path / 'out.pth'))
    assert not marker.exists()


def test_import_registers_nothing_process_wide(tmp_path):
    """After ``import mmkd_video`` stock ``torch.load(weights_only=True)``
    refuses exactly what it refuses without it; our loader reads legacy
    mmengine checkpoints (HistoryBuffer, numpy) inside its own load only."""
    def registered():
        return {g if not isinstance(g, tuple) else g[0]
                for g in torch.serialization.get_safe_globals()}

    ours = {g if not isinstance(g, tuple) else g[0]
            for g in mmengine_checkpoint_globals()}
    assert not ours & registered()
    path = str(tmp_path / 'legacy.pth')
    runner_like_checkpoint(path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    ckpt = load_checkpoint_file(path, map_location='cpu')
    assert ckpt['message_hub']['log_scalars']['train/loss'].current() == 2.0
    assert not ours & registered()


def test_legacy_checkpoint_loads_in_a_fresh_process(tmp_path):
    """A process that has built no HistoryBuffer yet (its statistics table
    is still empty) reads a plain-mmengine checkpoint."""
    path = str(tmp_path / 'legacy.pth')
    runner_like_checkpoint(path)
    code = ('import sys, mmkd_video; '
            'from mmkd_video.utils import load_checkpoint_file; '
            'ckpt = load_checkpoint_file(sys.argv[1]); '
            "print(ckpt['message_hub']['log_scalars']['train/loss'].mean())")
    env = {k: v for k, v in os.environ.items() if k != TRUST_ENV}
    proc = subprocess.run([sys.executable, '-c', code, path], cwd=REPO,
                          env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == '1.0'


def test_every_mmengine_scheme_is_ours():
    check_no_full_pickle_loaders()  # raises if one is mmengine's own


def test_real_getattr_is_not_allowed(tmp_path):
    """The stand-in for getattr serves HistoryBuffer statistics only."""
    marker = tmp_path / 'code_ran'
    path = str(tmp_path / 'hostile.pth')
    torch.save({'x': Call(getattr, Call(getattr, getattr, '__self__'),
                          'eval')}, path)
    with pytest.raises(UnsafeCheckpointError, match='getattr'):
        load_checkpoint_file(path)
    assert not marker.exists()


@pytest.mark.parametrize('content,expected', [
    (b'', 'empty'),
    (b'\x00\x01 random bytes that are not a checkpoint' * 10,
     'not a PyTorch checkpoint'),
    (b'{"json": "not a checkpoint"}', 'not a PyTorch checkpoint'),
    ('truncated', 'truncated or damaged zip'),
])
def test_unreadable_files_are_named_not_called_unsafe(tmp_path, content,
                                                      expected):
    path = str(tmp_path / 'teacher.pth')
    if content == 'truncated':
        torch.save({'state_dict': nn.Linear(64, 64).state_dict()}, path)
        data = open(path, 'rb').read()
        content = data[:len(data) // 2]
    with open(path, 'wb') as f:
        f.write(content)
    declare_checkpoint_role(path, 'teacher checkpoint')
    with pytest.raises(CheckpointReadError) as info:
        _load_checkpoint(path)
    message = str(info.value)
    assert expected in message and path in message
    assert 'teacher checkpoint' in message
    assert 'trust' not in message  # no false security alarm
    assert '\n' not in message


def test_trust_opt_in_loads_with_full_pickle(tmp_path, monkeypatch):
    marker = tmp_path / 'code_ran'
    path = str(tmp_path / 'hostile.pth')
    torch.save({'state_dict': {}, 'meta': gadgets(str(marker))['os.system']},
               path)
    monkeypatch.setenv(TRUST_ENV, '1')
    load_checkpoint_file(path)
    assert marker.exists()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_server(tmp_path):
    """An HTTP server on 127.0.0.1 serving ``tmp_path/served``."""
    served = tmp_path / 'served'
    served.mkdir()

    def handler(*args, **kwargs):
        return _Quiet(*args, directory=str(served), **kwargs)

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served, f'http://127.0.0.1:{server.server_address[1]}'
    server.shutdown()
    server.server_close()


def test_remote_checkpoints_download_then_load_weights_only(
        tmp_path, monkeypatch, loopback_server):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    served, base = loopback_server
    marker = tmp_path / 'code_ran'
    model = nn.Linear(3, 2)
    torch.save({'state_dict': model.state_dict()}, served / 'good.pth')
    runner_like_checkpoint(str(served / 'bad.pth'),
                           gadgets(str(marker))['getattr->eval'])

    ckpt = CheckpointLoader.load_checkpoint(f'{base}/good.pth')
    assert torch.equal(ckpt['state_dict']['weight'], model.weight)
    assert osp.isfile(tmp_path / 'torch_home/hub/checkpoints/good.pth')
    with pytest.raises(UnsafeCheckpointError, match='downloaded from'):
        CheckpointLoader.load_checkpoint(f'{base}/bad.pth')
    assert not marker.exists()


def test_poisoned_hub_cache_is_refused(tmp_path, monkeypatch):
    """A file planted in torch's hub cache under a model-zoo name: mmengine
    would unpickle it in full; we refuse it, and nothing is downloaded."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    marker = tmp_path / 'code_ran'
    url = 'https://download.pytorch.org/models/resnet18-f37072fd.pth'
    cache = tmp_path / 'torch_home/hub/checkpoints'
    cache.mkdir(parents=True)
    torch.save({'state_dict': {}, 'meta': gadgets(str(marker))['os.system']},
               str(cache / 'resnet18-f37072fd.pth'))
    with pytest.raises(UnsafeCheckpointError):
        CheckpointLoader.load_checkpoint(url)
    assert not marker.exists()


def test_shipped_configs_need_no_network():
    """No config of ours names a checkpoint that would be downloaded."""
    import glob
    import re

    from mmengine.config import Config
    remote = re.compile(r'^(https?|torchvision|modelzoo|open-?mmlab|mmcls|'
                        r's3|pavi)://')

    def urls(value, where):
        if isinstance(value, dict):
            for k, v in value.items():
                yield from urls(v, f'{where}.{k}')
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                yield from urls(v, f'{where}[{i}]')
        elif isinstance(value, str) and remote.match(value):
            yield f'{where}={value}'

    found = []
    for path in sorted(glob.glob(osp.join(REPO, 'configs/**/*.py'),
                                 recursive=True)):
        if '/_base_/' in path:
            continue
        cfg = Config.fromfile(path)
        found += [f'{osp.relpath(path, REPO)}: {u}'
                  for u in urls(cfg.to_dict(), 'cfg')]
    assert not found, found


def test_tool_refuses_then_loads_with_the_flag(tmp_path):
    marker = tmp_path / 'code_ran'
    path = str(tmp_path / 'hostile.pth')
    torch.save({'state_dict': {'student.w': torch.ones(1)},
                'meta': {'note': gadgets(str(marker))['getattr->eval']}},
               path)
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
