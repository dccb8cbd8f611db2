"""Weights-only checkpoint loading with one clear refusal and an opt-in.

``torch.load`` with ``weights_only=True`` rebuilds tensors and allowlisted
types only, so a checkpoint cannot run code when it is opened. mmengine
checkpoints need a few allowlisted types (``compat.py`` registers exactly
those). Everything else is refused with :class:`UnsafeCheckpointError`,
which names the file, the offending global and the way out: a trusted
legacy checkpoint loads with ``--trust-checkpoint`` (our tools) or
``MMKD_TRUST_CHECKPOINTS=1`` (any process, every rank), which loads with
``weights_only=False`` -- full pickle, able to run code, so only for files
you made or trust.

:func:`register_safe_local_loader` puts :func:`load_local_checkpoint` in
place of mmengine's loader for local paths (``CheckpointLoader`` scheme
``''``), so ``load_from``, ``resume``, ``teacher_ckpt``, ``init_cfg``
``Pretrained`` and ``load_checkpoint`` all go through it.
"""
import os
import os.path as osp
import pickle
import re

import torch
from mmengine.runner.checkpoint import CheckpointLoader

TRUST_ENV = 'MMKD_TRUST_CHECKPOINTS'


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds pickled objects outside the weights-only allowlist."""


def checkpoints_trusted() -> bool:
    """Whether the user opted in to full-pickle loading for this run."""
    return os.environ.get(TRUST_ENV, '') == '1'


def trust_checkpoints() -> None:
    """Opt in for this process and the processes it starts."""
    os.environ[TRUST_ENV] = '1'


def _offending_global(error: Exception) -> str:
    text = str(error)
    match = re.search(r'(?:unsupported|Unsupported global:) (GLOBAL \S+)|'
                      r'(call reduce for unrecognized function [^\n]+)', text)
    if match:
        return match.group(1) or match.group(2)
    return text.strip().splitlines()[-1]


def load_local_checkpoint(filename: str, map_location=None):
    """Load a local checkpoint weights-only, unless checkpoints are trusted.

    Args:
        filename (str): Path of the checkpoint (``~`` is expanded).
        map_location: As for ``torch.load``.

    Returns:
        dict | OrderedDict: The loaded object.

    Raises:
        FileNotFoundError: The file does not exist.
        UnsafeCheckpointError: The file pickles a type or call outside the
            allowlist (and checkpoints are not trusted).
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    if checkpoints_trusted():
        return torch.load(filename, map_location=map_location,
                          weights_only=False)
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as error:
        raise UnsafeCheckpointError(
            f'refusing to load {filename!r}: it pickles an object outside '
            f'the weights-only allowlist ({_offending_global(error)}), and '
            'unpickling it could run arbitrary code. If you made this file '
            'or trust its source (e.g. a legacy checkpoint), load it with '
            f'--trust-checkpoint (tools/train.py, test.py, export_student.py)'
            f' or {TRUST_ENV}=1 in the environment.') from error


def register_safe_local_loader() -> None:
    """Route mmengine's local-path checkpoint loading through
    :func:`load_local_checkpoint` (idempotent)."""
    CheckpointLoader.register_scheme(prefixes='', loader=load_local_checkpoint,
                                     force=True)
