"""tools/repair_mmaction_drn.py on a copy of the installed mmaction2 wheel.

The copy (package + dist-info, with the repair removed) is put first on
PYTHONPATH of child processes, so the shared environment is never touched.
"""
import importlib.metadata
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SCRIPT = osp.join(REPO, 'tools', 'repair_mmaction_drn.py')
DRN_FILES = ('mmaction/models/localizers/drn/__init__.py',
             'mmaction/models/localizers/drn/drn.py')


@pytest.fixture
def unrepaired_site(tmp_path):
    """A site dir holding mmaction2 1.2.0 as its wheel installs it."""
    dist = importlib.metadata.distribution('mmaction2')
    if dist.version != '1.2.0':
        pytest.skip(f'the drn defect is in mmaction2 1.2.0, not '
                    f'{dist.version}')
    site = tmp_path / 'site'
    package = osp.dirname(str(dist.locate_file('mmaction/__init__.py')))
    ignore = shutil.ignore_patterns('__pycache__')
    shutil.copytree(package, site / 'mmaction', ignore=ignore,
                    symlinks=True)
    info = [f for f in dist.files if f.name == 'RECORD'][0]
    info_dir = osp.dirname(str(dist.locate_file(info)))
    shutil.copytree(info_dir, site / osp.basename(info_dir))
    # undo a repair of the environment we copied from: the wheel's state
    shutil.rmtree(site / 'mmaction/models/localizers/drn', ignore_errors=True)
    record = site / osp.basename(info_dir) / 'RECORD'
    record.write_text(''.join(
        line for line in record.read_text().splitlines(keepends=True)
        if not line.startswith('mmaction/models/localizers/drn/')))
    return site


def run(args, site, check=False):
    env = dict(os.environ, PYTHONPATH=f'{site}{os.pathsep}{REPO}')
    proc = subprocess.run([sys.executable, *args], env=env, cwd=str(site.parent),
                          capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    return proc


PLAIN = '''
import sys
import mmaction.models
from mmaction.apis import init_recognizer, inference_recognizer
from mmaction.registry import MODELS
assert mmaction.models.__file__.startswith(sys.argv[1]), mmaction.__file__
assert not any(m.startswith('mmkd_video') for m in sys.modules)
try:
    MODELS.build(dict(type='DRN'))
except ImportError as e:
    print('DRN:', e)
'''


def test_repair_makes_plain_mmaction2_import(unrepaired_site):
    site = unrepaired_site
    # the wheel as installed: plain mmaction2 fails, and so does mmkd_video,
    # with one error naming the repair command
    before = run(['-c', PLAIN, str(site)], site)
    assert before.returncode != 0
    assert "No module named 'mmaction.models.localizers.drn'" in \
        before.stderr
    ours = run(['-c', 'import mmkd_video'], site)
    assert ours.returncode != 0
    assert 'MissingMmactionRepairError' in ours.stderr
    assert 'repair_mmaction_drn.py' in ours.stderr
    assert run([SCRIPT, '--check'], site).returncode == 1

    out = run([SCRIPT], site, check=True).stdout
    assert out.count('wrote') == 2
    assert run([SCRIPT, '--check'], site).returncode == 0

    # a process that never imports mmkd_video: no shim anywhere
    plain = run(['-c', PLAIN, str(site)], site, check=True).stdout
    assert 'DRN: DRN is missing from the mmaction2 1.2.0 wheel' in plain
    run(['-c', 'import mmkd_video'], site, check=True)


def test_repair_is_recorded_for_uninstall_and_idempotent(unrepaired_site):
    site = unrepaired_site
    run([SCRIPT], site, check=True)
    again = run([SCRIPT], site, check=True).stdout
    assert 'nothing to repair' in again
    # pip uninstalls exactly the files in RECORD: ours are listed once, with
    # their real hash, so reinstalling mmaction2 removes them.
    listing = '''
import importlib.metadata, sys
dist = importlib.metadata.distribution('mmaction2')
assert str(dist.locate_file('')) == sys.argv[1], dist.locate_file('')
for f in dist.files:
    if 'localizers/drn/' in str(f):
        print(f, f.hash.value, f.hash.value == __import__('base64')
              .urlsafe_b64encode(__import__('hashlib').sha256(
                  f.read_binary()).digest()).rstrip(b'=').decode())
'''
    rows = run(['-c', listing, str(site)], site, check=True).stdout.split(
        '\n')
    rows = [r.split() for r in rows if r]
    assert sorted(r[0] for r in rows) == sorted(DRN_FILES)
    assert all(r[2] == 'True' for r in rows)
