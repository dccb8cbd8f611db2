#!/usr/bin/env python
"""Install-time repair of mmaction2 1.2.0's wheel: the missing ``drn`` package.

The mmaction2 1.2.0 wheel on PyPI lacks ``mmaction/models/localizers/drn/``
while ``mmaction/models/localizers/__init__.py`` does ``from .drn.drn import
DRN``, so ``import mmaction.models`` (and ``from mmaction.apis import
init_recognizer``) fails with ``ModuleNotFoundError`` in any process
(open-mmlab/mmaction2#2714).

This script writes a minimal ``drn`` package into the *installed* mmaction2:
a ``DRN`` model (registered under its name, as upstream does) whose
constructor raises one error explaining the defect. DRN is a temporal
grounding localizer that mmkd_video does not use; every other mmaction2
module then imports and runs unchanged, with or without mmkd_video.

The written files are added to the distribution's ``RECORD``, so
``pip uninstall mmaction2`` removes them and reinstalling mmaction2 undoes
the repair. ``make install`` runs this script; run it yourself after
installing mmaction2 1.2.0 into another environment::

    python tools/repair_mmaction_drn.py           # repair (idempotent)
    python tools/repair_mmaction_drn.py --check   # exit 1 if still broken

It never imports ``mmaction.models`` (which is what fails) and does nothing
when the installed mmaction2 ships ``drn`` or no longer imports it.
"""
import argparse
import base64
import hashlib
import importlib.metadata
import importlib.util
import os
import os.path as osp
import sys

MARKER = 'Written by mmkd_video tools/repair_mmaction_drn.py'

INIT_PY = f'''# {MARKER}.
# mmaction2 1.2.0's wheel lacks this package (open-mmlab/mmaction2#2714).
# Removed by `pip uninstall mmaction2` (listed in the dist's RECORD).
from .drn import DRN

__all__ = ['DRN']
'''

DRN_PY = f'''# {MARKER}.
"""Placeholder for DRN, missing from the mmaction2 1.2.0 wheel."""
from mmaction.registry import MODELS


@MODELS.register_module()
class DRN:
    """DRN (temporal grounding) is not in the mmaction2 1.2.0 wheel.

    Registered so that ``type='DRN'`` gives this error instead of an
    unknown-type error; every other mmaction2 module works unchanged.
    """

    def __init__(self, *args, **kwargs):
        raise ImportError(
            'DRN is missing from the mmaction2 1.2.0 wheel '
            '(open-mmlab/mmaction2#2714); this placeholder was written by '
            'mmkd_video tools/repair_mmaction_drn.py. Install mmaction2 from '
            'source (github.com/open-mmlab/mmaction2) to use DRN.')
'''

FILES = {'__init__.py': INIT_PY, 'drn.py': DRN_PY}


def localizers_dir() -> str:
    """``mmaction/models/localizers`` of the mmaction2 this Python imports."""
    spec = importlib.util.find_spec('mmaction')  # does not run mmaction
    if spec is None or not spec.submodule_search_locations:
        sys.exit('repair_mmaction_drn: mmaction2 is not installed in '
                 f'{sys.executable}; install it first.')
    return osp.join(list(spec.submodule_search_locations)[0], 'models',
                    'localizers')


def needs_drn(localizers: str) -> bool:
    """Whether the installed localizers package imports ``.drn``."""
    with open(osp.join(localizers, '__init__.py')) as f:
        return 'from .drn' in f.read()


def is_broken(localizers: str) -> bool:
    return needs_drn(localizers) and not osp.isfile(
        osp.join(localizers, 'drn', 'drn.py'))


def record_line(path: str, root: str) -> str:
    """A wheel ``RECORD`` row (path relative to site-packages, hash, size)."""
    with open(path, 'rb') as f:
        data = f.read()
    digest = base64.urlsafe_b64encode(
        hashlib.sha256(data).digest()).rstrip(b'=').decode()
    rel = osp.relpath(path, root).replace(osp.sep, '/')
    return f'{rel},sha256={digest},{len(data)}\n'


def repair(localizers: str) -> list:
    """Write the drn package; list the files in mmaction2's ``RECORD``."""
    drn = osp.join(localizers, 'drn')
    os.makedirs(drn, exist_ok=True)
    written = []
    for name, text in FILES.items():
        path = osp.join(drn, name)
        with open(path, 'w') as f:
            f.write(text)
        written.append(path)
    try:
        dist = importlib.metadata.distribution('mmaction2')
    except importlib.metadata.PackageNotFoundError:
        return written  # a source checkout: nothing to record
    records = [f for f in dist.files or [] if f.name == 'RECORD']
    if records:
        record = str(dist.locate_file(records[0]))
        root = str(dist.locate_file(''))
        with open(record) as f:
            listed = f.read()
        with open(record, 'a') as f:
            for path in written:
                line = record_line(path, root)
                if line.split(',')[0] not in listed:
                    f.write(line)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='only report; exit 1 if the repair is missing')
    args = parser.parse_args(argv)
    localizers = localizers_dir()
    if not is_broken(localizers):
        print(f'mmaction2 drn: nothing to repair ({localizers})')
        return 0
    if args.check:
        print(f'mmaction2 drn: missing in {localizers}; run '
              f'{sys.executable} {osp.abspath(__file__)}')
        return 1
    for path in repair(localizers):
        print(f'mmaction2 drn: wrote {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
