"""Make ``--cfg-options data_root=DIR`` move every path derived from it.

mmengine expands config variables when the file is parsed, so overriding the
top-level ``data_root`` afterwards leaves the dataloaders pointing at the old
place. Our tools call :func:`reroot_dataset_paths` after merging the command
line: every string in the dataloaders and evaluators that equals the old root
or starts with ``<old root>/`` is re-rooted to the new one.
"""
from typing import Any

DATA_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader',
             'val_evaluator', 'test_evaluator')


def _reroot(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        if value == old:
            return new
        if value.startswith(old.rstrip('/') + '/'):
            return new.rstrip('/') + value[len(old.rstrip('/')):]
        return value
    if isinstance(value, dict):
        for k in list(value.keys()):
            value[k] = _reroot(value[k], old, new)
        return value
    if isinstance(value, list):
        return [_reroot(v, old, new) for v in value]
    if isinstance(value, tuple):
        return tuple(_reroot(v, old, new) for v in value)
    return value


def reroot_dataset_paths(cfg, old_root: str) -> int:
    """Re-root dataset paths after ``cfg.data_root`` changed from ``old_root``.

    Args:
        cfg (Config): The merged config.
        old_root (str): ``data_root`` as written in the config file.

    Returns:
        int: Number of config sections touched (0 if data_root is unchanged).
    """
    new_root = cfg.get('data_root', None)
    if not old_root or not new_root or new_root == old_root:
        return 0
    touched = 0
    for key in DATA_KEYS:
        if cfg.get(key) is not None:
            cfg[key] = _reroot(cfg[key], old_root, new_root)
            touched += 1
    return touched
