"""Record the inputs/outputs of submodules by dotted path with forward hooks.

No model code is edited: a :class:`ModuleRecorder` registers one forward hook
per recorded module when entered as a context and removes every handle when
the context exits, so nothing is recorded (or kept alive) outside it.
"""
import difflib
from contextlib import ExitStack, contextmanager
from typing import Any, Dict, Iterator, Optional

import torch.nn as nn


def get_submodule(model: nn.Module, path: str, owner: str = 'model') -> nn.Module:
    """Return ``model``'s submodule at dotted ``path`` or raise a clear error.

    Args:
        model (nn.Module): The root module.
        path (str): Dotted module path, e.g. ``'backbone.layer4'``.
        owner (str): Name of ``model`` used in the error message.

    Raises:
        AttributeError: The path does not exist; lists the nearest valid paths.
    """
    names = dict(model.named_modules())
    if path in names:
        return names[path]
    nearest = difflib.get_close_matches(path, list(names), n=5, cutoff=0.3)
    if not nearest:  # fall back to the top-level children
        nearest = [n for n in names if n and '.' not in n]
    raise AttributeError(
        f'{owner} has no module at path {path!r}. Nearest valid module '
        f'paths: {nearest}. Fix the `module=` of this recorder (list all '
        f'paths with `[n for n, _ in model.named_modules()]`).')


class ModuleRecorder:
    """Capture one module's output (or an input argument) during a forward.

    Args:
        model (nn.Module): The model the module belongs to.
        module (str): Dotted path of the module, e.g. ``'backbone'``.
        source (str): ``'output'`` (default) or ``'input'``.
        index (int, optional): If the recorded value is a tuple/list (e.g.
            a backbone returning several stages, or the positional inputs),
            take this element. For ``source='input'`` it defaults to 0.
        owner (str): Name used in error messages (``'student'``...).

    Examples:
        >>> rec = ModuleRecorder(model, 'backbone.layer4')
        >>> with rec.recording():
        ...     model(inputs)
        >>> feat = rec.data
    """

    def __init__(self,
                 model: nn.Module,
                 module: str,
                 source: str = 'output',
                 index: Optional[int] = None,
                 owner: str = 'model') -> None:
        if source not in ('output', 'input'):
            raise ValueError(
                f"recorder source must be 'output' or 'input', but got "
                f'{source!r} (module {module!r} of the {owner})')
        self.path = module
        self.source = source
        self.index = 0 if (index is None and source == 'input') else index
        self.owner = owner
        self.module = get_submodule(model, module, owner)
        self.data: Any = None
        self._handle = None

    def _hook(self, module: nn.Module, args: tuple, output: Any) -> None:
        value = args if self.source == 'input' else output
        if self.index is not None:
            value = value[self.index]
        self.data = value

    @contextmanager
    def recording(self) -> Iterator['ModuleRecorder']:
        """Hook the module for the duration of the context."""
        self.data = None
        self._handle = self.module.register_forward_hook(self._hook)
        try:
            yield self
        finally:
            self._handle.remove()
            self._handle = None


class RecorderGroup:
    """A named set of :class:`ModuleRecorder` on one model.

    Args:
        model (nn.Module): The model whose modules are recorded.
        recorders (dict): ``name -> dict(module=..., source=..., index=...)``.
        owner (str): ``'student'`` or ``'teacher'``, for error messages.
    """

    def __init__(self, model: nn.Module, recorders: Optional[Dict[str, dict]],
                 owner: str) -> None:
        self.owner = owner
        self.recorders: Dict[str, ModuleRecorder] = {}
        for name, cfg in (recorders or {}).items():
            cfg = dict(cfg)
            if 'module' not in cfg:
                raise KeyError(
                    f'{owner} recorder {name!r} needs `module=` (a dotted '
                    f'module path), but got keys {sorted(cfg)}')
            self.recorders[name] = ModuleRecorder(model, owner=owner, **cfg)

    def __contains__(self, name: str) -> bool:
        return name in self.recorders

    def names(self) -> list:
        """The recorder names, in config order."""
        return list(self.recorders)

    def deepest_stage(self) -> str:
        """How far a recognizer must run for every recorder to fire:
        ``'backbone'``, ``'neck'`` or ``'head'`` (also for no recorders)."""
        roots = {r.path.split('.')[0] for r in self.recorders.values()}
        if roots and roots <= {'backbone'}:
            return 'backbone'
        if roots and roots <= {'backbone', 'neck'}:
            return 'neck'
        return 'head'

    @contextmanager
    def recording(self) -> Iterator[Dict[str, Any]]:
        """Record every module; yields the dict filled when the context ends."""
        records: Dict[str, Any] = {}
        with ExitStack() as stack:
            for rec in self.recorders.values():
                stack.enter_context(rec.recording())
            try:
                yield records
            finally:
                for name, rec in self.recorders.items():
                    records[name] = rec.data
                    rec.data = None  # the records dict owns them now
