"""Turn a distiller checkpoint into a plain mmaction2 checkpoint of the student."""
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, Optional

import torch

from .safe_loading import load_local_checkpoint

STUDENT_PREFIX = 'student.'


def student_state_dict(state_dict: Dict[str, torch.Tensor],
                       drop_prefixes: tuple = ()) -> 'OrderedDict':
    """Keys under ``student.`` with the prefix stripped, tensors on CPU.

    Args:
        state_dict (dict): A distiller's state dict.
        drop_prefixes (tuple[str]): Student sub-keys to leave out (e.g.
            ``('neck.',)`` to deploy a GenKD student without its attention).

    Raises:
        KeyError: The state dict holds no student (not a distiller
            checkpoint).
    """
    student = OrderedDict(
        (k[len(STUDENT_PREFIX):], v.detach().cpu())
        for k, v in state_dict.items() if k.startswith(STUDENT_PREFIX))
    if not student:
        raise KeyError(
            'no "student." keys in this checkpoint: it is not a VideoDistiller '
            f'checkpoint (first keys: {list(state_dict)[:5]})')
    return OrderedDict((k, v) for k, v in student.items()
                       if not k.startswith(tuple(drop_prefixes)))


def save_student_checkpoint(state_dict: Dict[str, torch.Tensor],
                            out_file: str,
                            meta: Optional[dict] = None,
                            drop_prefixes: tuple = ()) -> str:
    """Write ``{'meta', 'state_dict'}`` of the student alone to ``out_file``.

    Only tensors and plain Python values are written, so the file loads with
    ``torch.load(weights_only=True)`` and with mmaction2's ``init_recognizer``
    without any mmkd_video code.
    """
    plain_meta = {k: v for k, v in (meta or {}).items()
                  if isinstance(v, (str, int, float, bool))}
    checkpoint = dict(meta=plain_meta,
                      state_dict=student_state_dict(state_dict, drop_prefixes))
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    tmp = out_file + '.tmp'
    torch.save(checkpoint, tmp)
    os.replace(tmp, out_file)  # never leave a half-written checkpoint
    return out_file


def export_student(checkpoint_file: str, out_file: str,
                   drop_prefixes: tuple = ()) -> str:
    """Export the student of a distiller checkpoint file."""
    if not osp.isfile(checkpoint_file):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint_file!r}')
    ckpt = load_local_checkpoint(checkpoint_file, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    meta = dict(ckpt.get('meta', {}))
    meta['exported_from'] = osp.abspath(checkpoint_file)
    return save_student_checkpoint(state, out_file, meta, drop_prefixes)
