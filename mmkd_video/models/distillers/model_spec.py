"""Build the distiller's models from config specs and load their weights."""
import os.path as osp
from collections import OrderedDict
from typing import List, Optional, Union

import torch.nn as nn
from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import CheckpointLoader

from mmkd_video.registry import MODELS
from mmkd_video.utils import check_state_dict_fits, declare_checkpoint_role

ModelSpec = Union[dict, ConfigDict, str, nn.Module]


def build_model_from_spec(spec: ModelSpec, role: str) -> nn.Module:
    """Build a model from a config dict, a config file path or a module.

    Args:
        spec: A model config dict, a path to a config file whose ``model``
            is used (``'mmaction::recognition/...py'`` is resolved from the
            installed mmaction2), or an already built ``nn.Module``.
        role (str): ``'student'`` or ``'teacher'``, for error messages.

    Returns:
        nn.Module: The built model (``spec`` itself if it is a module).
    """
    if isinstance(spec, nn.Module):
        return spec
    if isinstance(spec, str):
        if '::' in spec:
            from mmengine.hub import get_config
            cfg = get_config(spec)
        else:
            if not osp.isfile(spec):
                raise FileNotFoundError(
                    f'{role} config file {spec!r} does not exist. Give a '
                    f'model config dict, an existing config path or an '
                    f"'mmaction::...' config.")
            cfg = Config.fromfile(spec)
        if 'model' not in cfg:
            raise KeyError(f'{role} config {spec!r} has no `model` field')
        spec = cfg.model
    if not isinstance(spec, dict):
        raise TypeError(f'{role} must be a config dict, a config path or an '
                        f'nn.Module, but got {type(spec)}')
    # mmaction2 models build their parts from the default scope's registry;
    # outside a Runner there may be none yet.
    scope = DefaultScope.get_current_instance()
    with DefaultScope.overwrite_default_scope(
            None if scope is not None else 'mmkd_video'):
        return MODELS.build(ConfigDict(spec))


def set_requires_grad(module: nn.Module, flag: bool) -> None:
    """Set ``requires_grad`` of every parameter of ``module`` to ``flag``."""
    for p in module.parameters():
        p.requires_grad_(flag)


def load_weights(module: nn.Module, path: str, prefix: Optional[str],
                 what: str, strict: bool = True) -> List[str]:
    """Load ``path`` (keys under ``prefix``) into ``module``.

    A checkpoint that does not fit (shapes, unexpected keys, or missing
    keys when ``strict``) raises one error with the first mismatches
    and their counts. Every direct child whose weights all came from
    the checkpoint is marked initialised, so the Runner's
    ``init_weights()`` does not overwrite it.

    Args:
        module (nn.Module): The model to load into.
        path (str): A local checkpoint file or a URL (mmengine's loaders).
        prefix (str, optional): Load only the keys under this prefix,
            stripped (``'student.'`` takes a distiller's student).
        what (str): The checkpoint's role in messages (``'teacher'``).
        strict (bool): Missing keys raise. Defaults to True.

    Returns:
        list[str]: The missing keys (only possible with ``strict=False``).
    """
    if '://' not in path and not osp.isfile(path):
        raise FileNotFoundError(
            f'{what} checkpoint not found: {path!r}. Train it first (or '
            f'fix the path in the config).')
    declare_checkpoint_role(path, f'{what} checkpoint')
    ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    state = OrderedDict((k[7:] if k.startswith('module.') else k, v)
                        for k, v in state.items())
    if prefix:
        state = OrderedDict((k[len(prefix):], v) for k, v in state.items()
                            if k.startswith(prefix))
        if not state:
            raise KeyError(f'{what} checkpoint {path!r} has no keys under '
                           f'prefix {prefix!r}')
    missing = check_state_dict_fits(module, state, path, what, prefix,
                                    strict)
    module.load_state_dict(state, strict=False)
    if missing:
        print_log(f'{what}: {len(missing)} keys not in {path!r}, left to '
                  f'init_weights: {missing[:8]}', logger='current')
    missing_roots = {k.split('.')[0] for k in missing}
    for name, child in module.named_children():
        if name not in missing_roots and hasattr(child, '_is_init'):
            child._is_init = True
    if not missing and hasattr(module, '_is_init'):
        module._is_init = True
    print_log(f'{what} loaded from {path!r}', logger='current')
    return missing


def build_teacher(spec: Optional[ModelSpec], ckpt: Optional[str],
                  prefix: Optional[str] = None) -> Optional[nn.Module]:
    """Build, load and freeze a teacher (eval mode, no gradients).

    Args:
        spec (dict | str | nn.Module, optional): As for
            :func:`build_model_from_spec`; None: no teacher.
        ckpt (str, optional): Its trained weights, loaded strictly.
            Required unless ``spec`` is an already built module.
        prefix (str, optional): Load only the keys under this prefix.

    Returns:
        nn.Module | None: The frozen teacher, in eval mode.
    """
    if spec is None:
        return None
    given_built = isinstance(spec, nn.Module)
    model = build_model_from_spec(spec, 'teacher')
    if ckpt is not None:
        load_weights(model, ckpt, prefix, 'teacher')
    elif given_built:
        model._is_init = True  # given ready: never re-initialise
    else:
        raise ValueError(
            'teacher_ckpt is None: a teacher built from a config would '
            "be random. Set `teacher_ckpt` to the trained teacher's "
            'checkpoint (train it with tools/train.py on its own config '
            'first).')
    set_requires_grad(model, False)
    return model.eval()
