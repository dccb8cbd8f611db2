"""Checkpoint loading that cannot run code, at every load point.

Every checkpoint mmkd_video opens goes through :func:`load_checkpoint_file`:
local paths, ``http(s)://`` URLs and hub names (``torchvision://``,
``open-mmlab://``, ``mmcls://``; downloaded into torch's hub cache first),
and object stores (``s3://``, ``petrel://``, ``pavi://``).
:func:`register_safe_checkpoint_loaders` installs it for every scheme of
mmengine's ``CheckpointLoader``, so ``load_from``, ``resume``,
``teacher_ckpt``, ``init_cfg=dict(type='Pretrained')``, ``pretrained=`` and
``load_checkpoint`` all use it; no full-pickle path remains.

How a file is read:

* ``torch.load(weights_only=True)`` rebuilds tensors and an allowlist only.
  The allowlist (:func:`mmengine_checkpoint_globals`) is what checkpoints
  written by plain mmengine hold besides tensors: numpy arrays, dtypes and
  scalars, and ``HistoryBuffer``. It is given to torch for the duration of
  our load alone (``torch.serialization.safe_globals``): nothing is
  registered process-wide, so any other ``torch.load(weights_only=True)`` in
  the process refuses what stock torch refuses.
* ``builtins.getattr`` is **not** allowed. mmengine pickles each
  HistoryBuffer's statistics table as ``getattr(HistoryBuffer, 'mean')``;
  that global name is mapped to :func:`history_buffer_statistic`, which
  returns only those methods and refuses every other object or name. (A
  real ``getattr`` reaches ``eval`` in two calls: ``getattr(getattr,
  '__self__')`` is the builtins module.)
* Checkpoints written by our runtime need none of this: ``PlainCheckpointHook``
  stores the message hub as tensors and Python values.

Before unpickling, the file's format is checked, so an empty, truncated or
foreign file is reported as what it is (:class:`CheckpointReadError`), not
as a security refusal. A file that pickles anything else is refused with
:class:`UnsafeCheckpointError`, naming the file, its role and the offending
global. Trusted legacy files load with ``--trust-checkpoint`` (our tools) or
``MMKD_TRUST_CHECKPOINTS=1`` (any process, every rank): full pickle, able to
run code, so only for files you made or trust.

The role (``teacher_ckpt``, ``--resume``...) in messages comes from
:func:`declare_checkpoint_role`, called by whoever decides what a path is.
"""
import io
import os
import os.path as osp
import pickle
import re
import zipfile
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Optional
from urllib.parse import urlparse

import numpy as np
import torch

TRUST_ENV = 'MMKD_TRUST_CHECKPOINTS'

# The first bytes of torch's pre-1.6 (non-zip) format: a pickled magic int.
_LEGACY_TORCH_MAGIC = b'\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19'

_ROLES: Dict[str, str] = {}

# HistoryBuffer's own statistics methods (mmengine 0.10); others are
# allowed once registered with HistoryBuffer.register_statistics
_BUILTIN_STATISTICS = ('min', 'max', 'current', 'mean')


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint pickles objects outside the weights-only allowlist."""


class CheckpointReadError(RuntimeError):
    """A checkpoint file is empty, truncated, damaged or not a checkpoint."""


def checkpoints_trusted() -> bool:
    """Whether the user opted in to full-pickle loading for this run."""
    return os.environ.get(TRUST_ENV, '') == '1'


def trust_checkpoints() -> None:
    """Opt in for this process and the processes it starts."""
    os.environ[TRUST_ENV] = '1'


def declare_checkpoint_role(path: str, role: str) -> None:
    """Name what ``path`` is for (``'teacher_ckpt'``, ``'--resume'``...), so
    errors about it say which setting to fix."""
    _ROLES[_key(path)] = role


def checkpoint_role(path: str) -> str:
    return _ROLES.get(_key(path), 'checkpoint')


def _key(path: str) -> str:
    return osp.realpath(osp.expanduser(path)) if '://' not in path else path


# ----------------------------------------------------------------------
# the allowlist, used only inside our loads
# ----------------------------------------------------------------------
def history_buffer_statistic(owner, name: str) -> Callable:
    """Stand-in for ``builtins.getattr`` while loading: the statistics
    methods of mmengine's ``HistoryBuffer`` and nothing else.

    Raises:
        UnsafeCheckpointError: For any other object or attribute.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    if owner is HistoryBuffer and isinstance(name, str):
        # the table fills when the first HistoryBuffer is built; a fresh
        # process loading a checkpoint may not have built one yet
        method = HistoryBuffer._statistics_methods.get(name)
        if method is None and name in _BUILTIN_STATISTICS:
            method = getattr(HistoryBuffer, name)
        if method is not None:
            return method
    what = getattr(owner, '__qualname__', type(owner).__qualname__)
    raise UnsafeCheckpointError(
        f'the checkpoint asks for getattr({what}, {name!r}); only '
        'HistoryBuffer statistics methods are allowed')


def mmengine_checkpoint_globals() -> list:
    """The non-tensor globals a plain mmengine 0.10 Runner checkpoint holds
    (open-mmlab/mmengine#1655), as ``torch.serialization`` entries.

    Plain data containers: numpy arrays are rebuilt from bytes, dtypes from
    their names, HistoryBuffer from arrays; getattr is the restricted
    :func:`history_buffer_statistic`. None of them can call an arbitrary
    function.
    """
    from mmengine.logging.history_buffer import HistoryBuffer
    entries = [
        HistoryBuffer,
        np.ndarray,
        np.dtype,
        np.core.multiarray._reconstruct,
        np.core.multiarray.scalar,
        (history_buffer_statistic, 'builtins.getattr'),
    ]
    # numpy>=1.25 pickles dtypes as instances of per-type classes.
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        entries += [getattr(dtypes, n) for n in dir(dtypes)
                    if n.endswith('DType')]
    return entries


@contextmanager
def mmengine_globals_allowed() -> Iterator[None]:
    """The allowlist, for the loads inside this context only."""
    with torch.serialization.safe_globals(mmengine_checkpoint_globals()):
        yield


# ----------------------------------------------------------------------
# reading one file
# ----------------------------------------------------------------------
def _format_problem(path: str) -> Optional[str]:
    """Why ``path`` cannot be a torch checkpoint, or None if it may be."""
    size = osp.getsize(path)
    if size == 0:
        return 'the file is empty (0 bytes; an interrupted save?)'
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            if not any(n.endswith('data.pkl') for n in archive.namelist()):
                return 'it is a zip archive but not one torch.save wrote'
        return None
    with open(path, 'rb') as f:
        head = f.read(len(_LEGACY_TORCH_MAGIC))
    if head == _LEGACY_TORCH_MAGIC:
        return None  # torch's legacy format: the unpickler decides
    if head.startswith(b'PK'):
        return (f'it is a truncated or damaged zip archive ({size} bytes; '
                'an interrupted save or an incomplete download?)')
    return ('it is not a PyTorch checkpoint (neither the zip format of '
            'torch.save nor its legacy format)')


def _is_refused_global(error: Exception) -> bool:
    text = str(error)
    # a refused global or call, or a pickle opcode the weights-only
    # unpickler does not execute (e.g. protocol 4 frames): refusals, not
    # damage (damage is caught by _format_problem before unpickling)
    return bool(re.search(r'unsupported global|unrecognized function|'
                          r'not an allowed global|only HistoryBuffer|'
                          r'unsupported operand', text, re.IGNORECASE))


def _offending_global(error: Exception) -> str:
    text = str(error)
    match = re.search(r'unsupported (GLOBAL \S+)|(Unsupported operand \d+)|'
                      r'(call reduce for unrecognized function [^\n]+)|'
                      r'asks for (getattr\([^\n]+?\));', text,
                      re.IGNORECASE)
    if match:
        return next(g for g in match.groups() if g)
    return text.strip().splitlines()[-1]


def _torch_load(source, map_location, name: str, role: str):
    """weights-only ``torch.load`` of a path or buffer, errors translated."""
    if checkpoints_trusted():
        return torch.load(source, map_location=map_location,
                          weights_only=False)
    try:
        with mmengine_globals_allowed():
            return torch.load(source, map_location=map_location,
                              weights_only=True)
    except pickle.UnpicklingError as error:
        if _is_refused_global(error):
            raise UnsafeCheckpointError(
                f'refusing to load the {role} {name!r}: it pickles an '
                f'object outside the weights-only allowlist '
                f'({_offending_global(error)}), and unpickling it could run '
                'arbitrary code. If you made this file or trust its source '
                '(e.g. a legacy checkpoint), load it with --trust-checkpoint '
                '(tools/train.py, test.py, export_student.py) or '
                f'{TRUST_ENV}=1 in the environment.') from None
        raise CheckpointReadError(
            f'cannot read the {role} {name!r}: it is damaged or not a '
            f'checkpoint ({_last_line(error)})') from None
    except (RuntimeError, EOFError, ValueError, OSError) as error:
        raise CheckpointReadError(
            f'cannot read the {role} {name!r}: it is damaged or not a '
            f'checkpoint ({_last_line(error)})') from None


def _last_line(error: Exception) -> str:
    lines = [ln for ln in str(error).strip().splitlines() if ln.strip()]
    return f'{type(error).__name__}: {lines[-1] if lines else ""}'.strip()


def load_checkpoint_file(filename: str, map_location=None,
                         role: Optional[str] = None):
    """Load a local checkpoint file safely (see the module docstring).

    Args:
        filename (str): Path of the checkpoint (``~`` is expanded).
        map_location: As for ``torch.load``.
        role (str, optional): What the file is for, in error messages;
            defaults to the role declared for the path.

    Returns:
        dict | OrderedDict: The loaded object.

    Raises:
        FileNotFoundError: The file does not exist.
        CheckpointReadError: Empty, truncated, damaged or not a checkpoint.
        UnsafeCheckpointError: It pickles a type or call outside the
            allowlist (and checkpoints are not trusted).
    """
    filename = osp.expanduser(filename)
    role = role or checkpoint_role(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{role} {filename!r} does not exist.')
    problem = _format_problem(filename)
    if problem is not None:
        raise CheckpointReadError(f'cannot read the {role} {filename!r}: '
                                  f'{problem}')
    return _torch_load(filename, map_location, filename, role)


def is_complete_checkpoint(filename: str) -> bool:
    """Whether ``filename`` exists with a complete torch archive (checked
    without unpickling: for choosing a checkpoint to resume from)."""
    return osp.isfile(filename) and _format_problem(filename) is None


# ----------------------------------------------------------------------
# remote checkpoints: download, then load like local ones
# ----------------------------------------------------------------------
def download_checkpoint(url: str, model_dir: Optional[str] = None,
                        progress: bool = False) -> str:
    """The local copy of ``url`` in torch's hub cache, downloaded once.

    In a distributed run local rank 0 downloads and the others wait.
    """
    from mmengine.dist import get_dist_info
    model_dir = model_dir or osp.join(torch.hub.get_dir(), 'checkpoints')
    cached = osp.join(model_dir, osp.basename(urlparse(url).path))
    rank, world_size = get_dist_info()
    if int(os.environ.get('LOCAL_RANK', rank)) == 0 and \
            not osp.isfile(cached):
        os.makedirs(model_dir, exist_ok=True)
        torch.hub.download_url_to_file(url, cached, progress=progress)
    if world_size > 1:
        torch.distributed.barrier()
    return cached


def load_from_http(filename: str, map_location=None,
                   model_dir: Optional[str] = None, progress: bool = False):
    """``http(s)://``: download to the hub cache, then load weights-only."""
    cached = download_checkpoint(filename, model_dir, progress)
    return load_checkpoint_file(cached, map_location,
                                role=f'{checkpoint_role(filename)} '
                                f'(downloaded from {filename})')


def load_from_torchvision(filename: str, map_location=None):
    """``torchvision://NAME`` (or ``modelzoo://NAME``) via torchvision's URL
    table, then :func:`load_from_http`."""
    from mmengine.runner.checkpoint import get_torchvision_models
    name = filename.split('://', 1)[1]
    try:
        urls = get_torchvision_models()
    except ImportError as error:
        raise ImportError(
            f'{filename!r}: resolving torchvision:// names needs torchvision '
            f'({error}). Give the weights as a local file or an https:// URL '
            'instead.') from None
    return load_from_http(urls[name], map_location)


def load_from_openmmlab(filename: str, map_location=None):
    """``open-mmlab://NAME``: mmengine's model table, then a URL or a file
    in mmengine's home, loaded weights-only."""
    from mmengine.runner.checkpoint import (_get_mmengine_home,
                                            get_deprecated_model_names,
                                            get_external_models)
    name = filename.split('://', 1)[1]
    name = get_deprecated_model_names().get(name, name)
    url = get_external_models()[name]
    if url.startswith(('http://', 'https://')):
        return load_from_http(url, map_location)
    return load_checkpoint_file(osp.join(_get_mmengine_home(), url),
                                map_location, role=checkpoint_role(filename))


def load_from_mmcls(filename: str, map_location=None):
    """``mmcls://NAME``: mmengine's mmcls table, then keys renamed as
    mmengine does."""
    from mmengine.runner.checkpoint import (_process_mmcls_checkpoint,
                                            get_mmcls_models)
    url = get_mmcls_models()[filename[len('mmcls://'):]]
    return _process_mmcls_checkpoint(load_from_http(url, map_location))


def load_from_object_store(filename: str, map_location=None,
                           backend: str = 'petrel'):
    """``s3://`` / ``petrel://``: bytes from mmengine's file backend, then
    loaded weights-only."""
    from mmengine.fileio import get_file_backend
    data = get_file_backend(filename, backend_args={'backend': backend}
                            ).get(filename)
    role = checkpoint_role(filename)
    if not data:
        raise CheckpointReadError(f'cannot read the {role} {filename!r}: '
                                  'the object is empty')
    with io.BytesIO(data) as buffer:
        return _torch_load(buffer, map_location, filename, role)


def load_from_pavi(filename: str, map_location=None):
    """``pavi://``: download with pavi, then load weights-only."""
    import tempfile
    from pavi import modelcloud  # optional, as in mmengine
    model = modelcloud.get(filename[len('pavi://'):])
    with tempfile.TemporaryDirectory() as tmp_dir:
        local = osp.join(tmp_dir, model.name)
        model.download(local)
        return load_checkpoint_file(local, map_location,
                                    role=checkpoint_role(filename))


_SCHEMES: List[tuple] = [
    ('', load_checkpoint_file),
    (('http://', 'https://'), load_from_http),
    (('modelzoo://', 'torchvision://'), load_from_torchvision),
    (('open-mmlab://', 'openmmlab://'), load_from_openmmlab),
    ('mmcls://', load_from_mmcls),
    ([r'(\S+\:)?s3://', r'(\S+\:)?petrel://'], load_from_object_store),
    ('pavi://', load_from_pavi),
]


def register_safe_checkpoint_loaders() -> None:
    """Put our loaders in place of every mmengine ``CheckpointLoader``
    scheme (idempotent)."""
    from mmengine.runner.checkpoint import CheckpointLoader
    for prefixes, loader in _SCHEMES:
        CheckpointLoader.register_scheme(prefixes=prefixes, loader=loader,
                                         force=True)


def check_no_full_pickle_loaders() -> None:
    """Raise if a scheme of mmengine's ``CheckpointLoader`` is not ours."""
    from mmengine.runner.checkpoint import CheckpointLoader
    ours = {loader for _, loader in _SCHEMES}
    foreign = {p: f for p, f in CheckpointLoader._schemes.items()
               if f not in ours}
    if foreign:
        raise RuntimeError(f'checkpoint schemes {sorted(foreign)} do not '
                           'load weights-only')

