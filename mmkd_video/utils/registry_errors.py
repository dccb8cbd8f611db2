"""Turn mmengine's "X is not in the registry" errors into actionable ones."""
import difflib
import re
from contextlib import contextmanager
from typing import Iterator, List

from mmengine.registry import Registry

_NOT_IN_REGISTRY = re.compile(
    r'`?([\w.]+)`? is not in the (?:(\S+?)::)?(.+?) registry')


def registered_names(registry: Registry) -> List[str]:
    """Every name buildable from ``registry``: itself, parents, siblings."""
    root = registry
    while root.parent is not None:
        root = root.parent
    names, stack = set(), [root]
    while stack:
        reg = stack.pop()
        names.update(reg.module_dict)
        stack.extend(reg.children.values())
    return sorted(names)


def suggest(name: str, registry: Registry, n: int = 5) -> List[str]:
    """The ``n`` registered names closest to ``name``."""
    candidates = registered_names(registry)
    close = difflib.get_close_matches(name, candidates, n=n, cutoff=0.5)
    lower = {c.lower(): c for c in candidates}
    close += [lower[c] for c in difflib.get_close_matches(
        name.lower(), list(lower), n=n, cutoff=0.5) if lower[c] not in close]
    return close[:n]


@contextmanager
def friendly_registry_errors() -> Iterator[None]:
    """Re-raise unknown-type KeyErrors with the nearest registered names."""
    from mmkd_video import registry as our_registries
    try:
        yield
    except KeyError as e:
        match = _NOT_IN_REGISTRY.search(str(e))
        if match is None:
            raise
        name, _, reg_name = match.groups()
        registries = [r for r in vars(our_registries).values()
                      if isinstance(r, Registry) and r.name == reg_name]
        if not registries:
            raise
        nearest = suggest(name, registries[0])
        raise KeyError(
            f'unknown {reg_name} type {name!r}. Nearest registered names: '
            f'{nearest}. Check the spelling, or import the package that '
            f'registers it (custom_imports).') from e
