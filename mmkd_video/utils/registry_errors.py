"""Turn mmengine's "X is not in the registry" errors into actionable ones."""
import difflib
import re
from contextlib import contextmanager
from typing import Iterator, List, Optional

from mmengine.registry import Registry

_NOT_IN_REGISTRY = re.compile(
    r'`?([\w.]+)`? is not in the (?:(\S+?)::)?(.+?) registry')


def _tree(registry: Registry) -> List[Registry]:
    """Every registry of ``registry``'s tree: root, parents, siblings."""
    root = registry
    while root.parent is not None:
        root = root.parent
    found, stack = [], [root]
    while stack:
        reg = stack.pop()
        found.append(reg)
        stack.extend(reg.children.values())
    return found


def registered_names(registry: Registry) -> List[str]:
    """Every name buildable from ``registry``: itself, parents, siblings."""
    return sorted({n for reg in _tree(registry) for n in reg.module_dict})


def scopes_registering(name: str, registry: Registry) -> List[str]:
    """Scopes of ``registry``'s tree where ``name`` is registered."""
    return sorted({reg.scope for reg in _tree(registry)
                   if name in reg.module_dict})


def suggest(name: str, registry: Registry, n: int = 5) -> List[str]:
    """The ``n`` registered names closest to ``name`` (never ``name``)."""
    candidates = [c for c in registered_names(registry) if c != name]
    close = difflib.get_close_matches(name, candidates, n=n, cutoff=0.5)
    lower = {c.lower(): c for c in candidates}
    close += [lower[c] for c in difflib.get_close_matches(
        name.lower(), list(lower), n=n, cutoff=0.5) if lower[c] not in close]
    return close[:n]


def unknown_type_message(name: str, registry: Registry,
                         scope: Optional[str] = None) -> str:
    """One message for a type that ``registry`` (in ``scope``) lacks.

    A name registered under another scope is not misspelt: the message says
    which scope holds it and the two fixes. Otherwise it lists the nearest
    registered names.
    """
    where = f'{scope}::{registry.name}' if scope else registry.name
    elsewhere = [s for s in scopes_registering(name, registry) if s != scope]
    if elsewhere:
        other = elsewhere[0]
        return (f'{registry.name} type {name!r} is registered in scope '
                f'{other!r}, but was built in the {where} registry (the '
                f"config's default_scope). Fix either: write "
                f"type='{other}.{name}', or set default_scope='{other}' in "
                f'the config.')
    return (f'unknown {registry.name} type {name!r}. Nearest registered '
            f'names: {suggest(name, registry)}. Check the spelling, or '
            f'import the package that registers it (custom_imports).')


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
        name, scope, reg_name = match.groups()
        registries = [r for r in vars(our_registries).values()
                      if isinstance(r, Registry) and r.name == reg_name]
        if not registries:
            raise
        raise KeyError(unknown_type_message(name, registries[0], scope)) \
            from e
