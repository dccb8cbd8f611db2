"""Packaging: ranges in install_requires, exact pins only in the lock.

Installing mmkd_video into an existing OpenMMLab environment must keep the
environment's torch and mmcv (e.g. torch 2.1 + CUDA with a prebuilt mmcv)."""
import json
import os
import os.path as osp
import re
import runpy
import socket
import subprocess
import sys
import venv

import pytest
from packaging.requirements import Requirement

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
REQ = osp.join(REPO, 'requirements')


def install_requires():
    """What setup.py passes to setuptools, read by setup.py's own code."""
    read = runpy.run_path(osp.join(REPO, 'setup.py'),
                          run_name='setup')['read_requirements']
    return [Requirement(r) for r in
            read('requirements/runtime.txt') +
            read('requirements/mminstall.txt')]


def constraints():
    with open(osp.join(REQ, 'constraints.txt')) as f:
        lines = [line.split('#')[0].strip() for line in f]
    return {Requirement(r).name: Requirement(r) for r in lines if r}


def test_install_requires_are_ranges_and_the_lock_pins_them():
    reqs = install_requires()
    names = {r.name for r in reqs}
    assert {'torch', 'mmengine', 'mmcv', 'mmaction2', 'mmdet', 'numpy',
            'opencv-python'} <= names
    for r in reqs:
        assert not any(s.operator in ('==', '===') for s in r.specifier), r
    lock = constraints()
    for r in reqs:
        pin = lock.get(r.name)
        if pin is None:
            continue
        (spec, ) = pin.specifier
        assert spec.operator == '==', pin
        # the measured version satisfies the declared range
        assert r.specifier.contains(spec.version, prereleases=True), (r, pin)
    assert {'torch', 'mmengine', 'mmcv', 'mmaction2', 'mmdet', 'numpy',
            'opencv-python'} <= set(lock)


def test_makefile_installs_with_the_lock():
    with open(osp.join(REPO, 'Makefile')) as f:
        makefile = f.read()
    installs = re.findall(r'pip install[^\n]* -r [^\n]*', makefile)
    assert installs
    assert all('-c $(CONSTRAINTS)' in line for line in installs), installs
    assert 'CONSTRAINTS := requirements/constraints.txt' in makefile


def pypi_reachable() -> bool:
    try:
        socket.create_connection(('pypi.org', 443), timeout=5).close()
        return True
    except OSError:
        return False


def fake_installed(site: str, name: str, version: str) -> None:
    """The metadata pip reads for an installed distribution.

    Only pip's resolver runs here, and it decides from the installed
    version alone; a real torch 2.1 wheel would be a 0.2-2 GB download.
    """
    info = osp.join(site, f'{name}-{version}.dist-info')
    os.makedirs(info)
    with open(osp.join(info, 'METADATA'), 'w') as f:
        f.write(f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n')
    with open(osp.join(info, 'INSTALLER'), 'w') as f:
        f.write('pip\n')
    open(osp.join(info, 'RECORD'), 'w').close()


def test_resolving_our_requirements_keeps_an_older_torch(tmp_path):
    """pip's resolver, against the configured index (PyPI), in an
    environment that already has torch 2.1.0+cu121 and a prebuilt mmcv
    2.1.0: nothing replaces them. With ``torch==2.13.0`` in install_requires
    (as before) this fails: pip would install torch 2.13."""
    env = tmp_path / 'env'
    venv.create(env, with_pip=False)
    python = str(env / 'bin' / 'python')
    site = subprocess.check_output(
        [python, '-c', 'import sysconfig; print(sysconfig.get_path('
         '"purelib"))'], text=True).strip()
    fake_installed(site, 'torch', '2.1.0+cu121')
    fake_installed(site, 'mmcv', '2.1.0')
    report = tmp_path / 'report.json'
    proc = subprocess.run(
        [sys.executable, '-m', 'pip', '--python', python, 'install',
         '--dry-run', '--quiet', '--report', str(report),
         '--only-binary', ':all:',
         *[str(r) for r in install_requires()]],
        capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 and not pypi_reachable():
        pytest.skip('pip could not resolve and PyPI is unreachable: '
                    + proc.stderr[-300:])
    assert proc.returncode == 0, proc.stderr[-3000:]
    to_install = {item['metadata']['name'].lower():
                  item['metadata']['version']
                  for item in json.loads(report.read_text())['install']}
    assert 'torch' not in to_install, to_install['torch']
    assert 'mmcv' not in to_install, to_install['mmcv']
    # the resolution did run: the rest of the stack would be installed
    assert {'mmengine', 'mmaction2', 'mmdet'} <= set(to_install)
