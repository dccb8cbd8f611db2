"""The student of a distiller state dict as a plain mmaction2 checkpoint.

Format functions only (the export hook writes with them); exporting a
checkpoint file is :func:`mmkd_video.apis.export_student`.
"""
import io
from collections import OrderedDict
from typing import Dict, Optional

import torch

from .checkpoint_files import nonfinite_entries, write_atomically

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
    student = student_state_dict(state_dict, drop_prefixes)
    bad = nonfinite_entries(student)
    if bad:
        raise FloatingPointError(
            f'refusing to write {out_file!r}: {len(bad)} student tensors '
            f'hold NaN or inf (first: {bad[:3]})')
    buffer = io.BytesIO()
    torch.save(dict(meta=plain_meta, state_dict=student), buffer)
    write_atomically(out_file, buffer.getvalue())  # never half a file
    return out_file
