"""How checkpoint files are written and which one a resume continues from.

* :func:`write_atomically`: a temporary file in the same folder, flushed to
  disk, then renamed over the target. A save that is killed or fails (full
  disk, file size limit) leaves the previous file untouched.
* :func:`find_resume_checkpoint`: the newest *complete* checkpoint of a work
  dir, from ``last_checkpoint`` and the ``epoch_N.pth`` / ``iter_N.pth``
  files, so an interrupted save never makes ``--resume`` start over.
* :func:`nonfinite_entries`: the tensors of a state dict holding NaN/inf.
"""
import glob
import os
import os.path as osp
import re
from typing import Dict, List, Optional

import torch
from mmengine.logging import print_log

from .safe_loading import is_complete_checkpoint

_NUMBERED = re.compile(r'^(?:epoch|iter)_(\d+)\.pth$')


def write_atomically(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the
    whole new one, never a part.

    Raises:
        OSError: The write failed; the message names ``path`` and says the
            previous file is unchanged. The temporary file is removed.
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder, f'.{osp.basename(path)}.tmp.{os.getpid()}')
    try:
        with open(tmp, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        if osp.exists(tmp):
            os.remove(tmp)
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            raise OSError(
                error.errno, f'could not write {path!r} ({reason}); the '
                'previous file there, if any, is unchanged. Free disk space '
                'or choose another --work-dir.') from error
        raise


def _step(path: str) -> int:
    match = _NUMBERED.match(osp.basename(path))
    return int(match.group(1)) if match else -1


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` (without a path) continues from.

    Candidates are the file named in ``last_checkpoint`` and every
    ``epoch_N.pth``/``iter_N.pth`` in ``work_dir``; the complete one with
    the highest N wins (``last_checkpoint`` first among equals). Damaged
    candidates are logged and passed over.

    Returns:
        str | None: A path, or None when ``work_dir`` holds no checkpoint.

    Raises:
        RuntimeError: Checkpoints exist but none is complete.
    """
    # path -> (step, named by last_checkpoint): highest step first
    candidates: Dict[str, tuple] = {}
    for path in glob.glob(osp.join(work_dir, '*_*.pth')):
        if _NUMBERED.match(osp.basename(path)):
            candidates[path] = (_step(path), False)
    record = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(record):
        with open(record) as f:
            last = f.read().strip()
        if last:
            candidates[last] = (_step(last), True)
    damaged: List[str] = []
    for path in sorted(candidates, key=candidates.get, reverse=True):
        if is_complete_checkpoint(path):
            if damaged:
                print_log(f'resume: passed over {damaged} (missing or '
                          f'incomplete); continuing from {path}',
                          logger='current', level=30)
            return path
        damaged.append(path)
    if damaged:
        raise RuntimeError(
            f'nothing to resume in {work_dir!r}: every checkpoint there is '
            f'missing or incomplete ({damaged}). Remove them to start over, '
            'or pass --resume PATH with a complete checkpoint.')
    return None


def nonfinite_entries(state_dict: Dict[str, torch.Tensor]) -> List[str]:
    """Keys of floating-point tensors that hold NaN or inf."""
    return [k for k, v in state_dict.items()
            if isinstance(v, torch.Tensor) and v.is_floating_point()
            and not torch.isfinite(v).all()]
