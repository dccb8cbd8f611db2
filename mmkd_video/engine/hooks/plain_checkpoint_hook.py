"""Checkpoints that hold tensors and plain Python values only."""
from typing import Any

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer

from mmkd_video.registry import HOOKS

_HISTORY = '__mmkd_history_buffer__'
_ARRAY = '__mmkd_ndarray__'


def to_plain(value: Any) -> Any:
    """``value`` with HistoryBuffers, numpy arrays and numpy scalars turned
    into tensors, dicts and Python numbers (other values unchanged)."""
    if isinstance(value, HistoryBuffer):
        log, count = value.data
        return {_HISTORY: dict(log=_array(np.asarray(log)),
                               count=_array(np.asarray(count)),
                               max_length=int(value.max_length))}
    if isinstance(value, np.ndarray):
        return {_ARRAY: _array(value)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return type(value)((k, to_plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)) and not hasattr(value, '_fields'):
        return type(value)(to_plain(v) for v in value)
    return value


def from_plain(value: Any) -> Any:
    """Inverse of :func:`to_plain`."""
    if isinstance(value, dict):
        if set(value) == {_HISTORY}:
            state = value[_HISTORY]
            return HistoryBuffer(_numpy(state['log']),
                                 _numpy(state['count']), state['max_length'])
        if set(value) == {_ARRAY}:
            return _numpy(value[_ARRAY])
        return type(value)((k, from_plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)) and not hasattr(value, '_fields'):
        return type(value)(from_plain(v) for v in value)
    return value


def _array(array: np.ndarray):
    if array.dtype.kind in 'biuf':
        return torch.from_numpy(np.ascontiguousarray(array).copy())
    return dict(dtype=str(array.dtype), values=array.tolist())


def _numpy(stored) -> np.ndarray:
    if isinstance(stored, torch.Tensor):
        return stored.numpy()
    return np.array(stored['values'], dtype=stored['dtype'])


@HOOKS.register_module()
class PlainCheckpointHook(Hook):
    """Save the message hub and meta as plain data; rebuild them on load.

    mmengine writes ``HistoryBuffer`` objects, numpy arrays and numpy
    scalars into every checkpoint, and a HistoryBuffer pickles its
    statistics table through ``builtins.getattr``. Loading those weights-only
    needs an allowlist (open-mmlab/mmengine#1655), and a real ``getattr`` on
    it lets a crafted file reach ``eval``. With this hook our checkpoints
    need no allowlist at all: ``torch.load(weights_only=True)`` of stock
    torch reads them, and on ``--resume`` the hub gets its HistoryBuffers
    back before the Runner restores it.

    Example:
        >>> default_hooks = dict(
        ...     plain_checkpoint=dict(type='PlainCheckpointHook'))
    """

    # First: the hub is plain before anything else reads the loaded dict.
    priority = 'HIGHEST'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in list(checkpoint):
            if key not in ('state_dict', 'optimizer'):
                checkpoint[key] = to_plain(checkpoint[key])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in list(checkpoint):
            if key not in ('state_dict', 'optimizer'):
                checkpoint[key] = from_plain(checkpoint[key])
