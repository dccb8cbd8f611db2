"""Install mmkd_video (editable in `make install`).

The configs and tools are shipped inside the package under ``mmkd_video/.mim``
(OpenMMLab's convention), so other repositories can inherit our configs from
the installed package. In an editable install ``.mim`` holds symlinks to the
repository's folders; in a normal install, copies.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))
MIM_FILES = ('configs', 'tools')


def read_requirements(path):
    with open(osp.join(HERE, path)) as f:
        return [line.split('#')[0].strip() for line in f
                if line.split('#')[0].strip()]


def version():
    scope = {}
    with open(osp.join(HERE, 'mmkd_video', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def add_mim_extension():
    """Link (editable) or copy (install) configs/ and tools/ into .mim/."""
    editable = any(a in sys.argv for a in ('develop', 'editable_wheel'))
    if not editable and not any(a.startswith(('bdist', 'build', 'install'))
                                for a in sys.argv):
        return
    mim = osp.join(HERE, 'mmkd_video', '.mim')
    os.makedirs(mim, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(HERE, name), osp.join(mim, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if editable:
            os.symlink(osp.relpath(src, mim), dst)
        else:
            shutil.copytree(src, dst)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmkd_video',
        version=version(),
        description='Knowledge distillation for video models (GenKD, '
        'StructKD) on MMEngine / MMAction2',
        long_description=open(osp.join(HERE, 'README.md')).read()
        if osp.exists(osp.join(HERE, 'README.md')) else '',
        long_description_content_type='text/markdown',
        packages=find_packages(exclude=('configs', 'tools', 'tests')),
        include_package_data=True,
        package_data={'mmkd_video': ['.mim/configs/**/*', '.mim/tools/**/*']},
        python_requires='>=3.8',
        # Compatible ranges only; the measured lock is
        # requirements/constraints.txt (used by the Makefile).
        install_requires=read_requirements('requirements/runtime.txt') +
        read_requirements('requirements/mminstall.txt'),
        extras_require={
            'tests': read_requirements('requirements/tests.txt'),
            'mim': read_requirements('requirements/mminstall.txt'),
        },
        license='Apache License 2.0',
        zip_safe=False)
