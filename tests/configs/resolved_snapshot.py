"""Resolve every concrete config and write (or compare) a canonical snapshot.

Moving values between ``_base_`` files must not change what a config means.
This script resolves every config under ``configs/`` (``_base_`` excluded)
with ``Config.fromfile`` and stores ``cfg.to_dict()`` in a canonical JSON form
(sorted keys, tuples as lists, paths inside the repository as
``<repo>/...``), so a refactor of the bases can be checked
against the snapshot by ``test_resolved_configs.py``.

Usage (from the repository root)::

    PYTHONPATH=$PWD python tests/configs/resolved_snapshot.py          # write
    PYTHONPATH=$PWD python tests/configs/resolved_snapshot.py --check  # diff
"""
import argparse
import json
import os
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_ROOT = osp.join(REPO, 'configs')
SNAPSHOT = osp.join(osp.dirname(osp.abspath(__file__)),
                    'resolved_configs.json')


def concrete_configs(config_root=CONFIG_ROOT):
    """Paths relative to ``configs/`` of every config there outside
    ``_base_``, and of the model files under ``_base_/models`` (distillers
    load those by path at build time, so their ``model`` counts too)."""
    found = []
    for root, dirs, files in os.walk(config_root):
        dirs[:] = sorted(d for d in dirs if d != '_base_')
        found += [
            osp.relpath(osp.join(root, f), config_root)
            for f in files if f.endswith('.py')
        ]
    models = osp.join(config_root, '_base_', 'models')
    found += [
        osp.join('_base_', 'models', f) for f in os.listdir(models)
        if f.endswith('.py')
    ]
    return sorted(found)


def canonical(obj, repo=REPO):
    """A JSON-ready copy: dicts with str keys, tuples as lists, the rest
    as JSON scalars (anything else by its ``repr``, so nothing is dropped)."""
    if isinstance(obj, dict):
        return {str(k): canonical(v, repo) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [canonical(v, repo) for v in obj]
    if isinstance(obj, str) and obj.startswith(repo + os.sep):
        # `{{fileDirname}}` paths: machine independent, and `a/../b` is `b`
        return '<repo>/' + osp.relpath(osp.normpath(obj), repo)
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    return repr(obj)


def resolve(rel_path, config_root=CONFIG_ROOT):
    """The canonical resolved dict of ``<config_root>/<rel_path>``."""
    import mmkd_video  # noqa: F401  (what users import before parsing)
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(config_root, rel_path)).to_dict()
    if rel_path.startswith('_base_'):
        # a model file: a distiller given its path builds only its `model`
        cfg = dict(model=cfg.get('model'))
    return canonical(cfg, osp.dirname(config_root))


def resolve_all(config_root=CONFIG_ROOT):
    return {
        path: resolve(path, config_root)
        for path in concrete_configs(config_root)
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true',
                        help='compare with the snapshot instead of writing')
    parser.add_argument('--config-root', default=CONFIG_ROOT,
                        help='the configs/ folder of another checkout, e.g. '
                        'one from before a refactor')
    args = parser.parse_args()
    current = resolve_all(osp.abspath(args.config_root))
    if args.check:
        with open(SNAPSHOT) as f:
            stored = json.load(f)
        # new model files under _base_/models are no change
        changed = sorted(
            p for p in set(stored) | set(current)
            if stored.get(p) != current.get(p)
            and not (p not in stored and p.startswith('_base_')))
        print('\n'.join(changed) or 'all configs resolve to the snapshot')
        return 1 if changed else 0
    with open(SNAPSHOT, 'w') as f:
        json.dump(current, f, indent=1, sort_keys=True)
        f.write('\n')
    print(f'wrote {len(current)} configs to {SNAPSHOT}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
