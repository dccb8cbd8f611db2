"""The package's floors: each subpackage imports only from lower floors, and
no tool reaches another through ``sys.path``."""
import ast
import glob
import os.path as osp

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
# ground floor first; a module may import its own subpackage and lower floors
# (registry, compat and version import only OpenMMLab libraries)
FLOORS = {
    'registry': -1, 'compat': -1, 'version': -1,
    'utils': 0,
    'teacher_cache': 1,
    'datasets': 2, 'models': 2,
    'engine': 3,
    'apis': 4,
}


def mmkd_imports(path):
    """The ``mmkd_video`` modules a file imports, as dotted names."""
    package = osp.relpath(osp.dirname(path), REPO).split(osp.sep)
    tree = ast.parse(open(path).read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names
                        if a.name.split('.')[0] == 'mmkd_video')
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                name = '.'.join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ''
            if name.split('.')[0] == 'mmkd_video':
                # `from mmkd_video import registry` imports mmkd_video.registry
                yield from (f'{name}.{a.name}' for a in node.names)


def floor_of(dotted):
    parts = dotted.split('.')
    return parts[1] if len(parts) > 1 else None


def test_no_subpackage_imports_upward_or_sideways():
    wrong = []
    for path in glob.glob(osp.join(REPO, 'mmkd_video', '*', '**', '*.py'),
                          recursive=True) + glob.glob(
                              osp.join(REPO, 'mmkd_video', '*.py')):
        own = floor_of('.'.join(osp.relpath(path, REPO)[:-3].split(osp.sep)))
        if own not in FLOORS:
            continue  # mmkd_video/__init__.py: the whole package
        for name in mmkd_imports(path):
            other = floor_of(name)
            if other == own:
                continue
            if other is None or FLOORS.get(other, 99) >= FLOORS[own]:
                wrong.append(f'{osp.relpath(path, REPO)} imports {name}')
    assert not wrong, '\n'.join(wrong)


def test_the_check_sees_an_upward_import(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text('from mmkd_video.models import VideoDistiller\n'
                   'import mmkd_video.engine.hooks\n')
    names = list(mmkd_imports(str(bad)))
    assert names == ['mmkd_video.models.VideoDistiller',
                     'mmkd_video.engine.hooks']
    assert [floor_of(n) for n in names] == ['models', 'engine']


def test_no_tool_edits_sys_path():
    offenders = [p for p in glob.glob(osp.join(REPO, 'tools', '**', '*.py'),
                                      recursive=True)
                 if 'sys.path' in open(p).read()]
    assert not offenders
