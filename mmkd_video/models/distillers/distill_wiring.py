"""How a distiller's config parts are wired: built, checked and resolved.

A method is five config parts (see :class:`VideoDistiller`): recorders,
``distill_modules``, ``derived`` calls, ``distill_losses`` with their
``inputs`` and ``schedule``, and ``train_steps``. This mixin builds the
modules and losses, checks every reference and signature when the distiller
is built (so a wiring mistake fails at construction, naming the valid
choices), and resolves references into loss values during a step.
"""
import copy
import inspect
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional

import torch
import torch.nn as nn
from mmengine.logging import MessageHub, print_log
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmkd_video.registry import MODELS
from .loss_schedule import LossWeightSchedule
from .model_spec import load_weights, set_requires_grad
from .recorder import get_submodule


class DistillWiringMixin:
    """The wiring half of :class:`VideoDistiller` (builds into the
    distiller's own ``distill_modules``/``distill_losses``, so state dict
    keys are the distiller's)."""

    def _build_distill_modules(self, configs: Dict[str, dict]) -> None:
        """Extra modules; ``frozen``/``checkpoint`` keys handled here."""
        self.distill_modules = nn.ModuleDict()
        self._frozen_distill_modules = []
        for name, cfg in configs.items():
            cfg = copy.deepcopy(dict(cfg))
            frozen = cfg.pop('frozen', False)
            ckpt = cfg.pop('checkpoint', None)
            prefix = cfg.pop('checkpoint_prefix', None)
            module = MODELS.build(cfg)
            if ckpt is not None:
                load_weights(module, ckpt, prefix, f'distill module {name!r}')
                module._is_init = True
            if frozen:
                set_requires_grad(module, False)
                self._frozen_distill_modules.append(name)
            self.distill_modules[name] = module

    def _build_losses(self, configs: Dict[str, dict]) -> None:
        """Losses, with their ``inputs`` wiring and weight ``schedule``."""
        self.distill_losses = nn.ModuleDict()
        self.loss_inputs: Dict[str, Dict[str, str]] = {}
        self.loss_schedules: Dict[str, LossWeightSchedule] = {}
        for name, cfg in configs.items():
            cfg = copy.deepcopy(dict(cfg))
            if 'inputs' not in cfg:
                raise KeyError(
                    f'distill loss {name!r} needs `inputs=dict(arg=ref)` '
                    f"mapping its arguments to references like "
                    f"'student.logits'")
            self.loss_inputs[name] = dict(cfg.pop('inputs'))
            schedule = cfg.pop('schedule', None)
            if schedule is not None:
                self.loss_schedules[name] = LossWeightSchedule(**schedule)
            self.distill_losses[name] = MODELS.build(cfg)

    def _parse_steps(self, steps: Optional[List[dict]]) -> List[dict]:
        if steps is None:
            return [dict(optim_wrapper=None,
                         losses={n: 'forward' for n in self.distill_losses},
                         task_loss=True)]
        parsed = []
        for i, step in enumerate(steps):
            step = dict(step)
            losses = step.get('losses', [])
            if not isinstance(losses, dict):
                losses = {n: 'forward' for n in losses}
            for name, method in losses.items():
                if name not in self.distill_losses:
                    raise KeyError(
                        f'train_steps[{i}] names loss {name!r}, but the '
                        f'distill losses are {list(self.distill_losses)}')
                if not callable(getattr(self.distill_losses[name], method,
                                        None)):
                    raise AttributeError(
                        f'train_steps[{i}]: loss {name!r} has no method '
                        f'{method!r}')
            if 'optim_wrapper' not in step:
                raise KeyError(f'train_steps[{i}] needs `optim_wrapper=NAME` '
                               f'(a key of the config\'s optim_wrapper)')
            parsed.append(dict(optim_wrapper=step['optim_wrapper'],
                               losses=losses,
                               task_loss=bool(step.get('task_loss', False))))
        if sum(s['task_loss'] for s in parsed) != 1:
            raise ValueError('exactly one train step must have '
                             'task_loss=True (the student network step)')
        used = {n for s in parsed for n in s['losses']}
        unused = set(self.distill_losses) - used
        if unused:
            raise ValueError(f'distill losses {sorted(unused)} are in no '
                             f'train step; add them to `train_steps`')
        return parsed

    def _check_ref(self, ref: str, where: str) -> None:
        head, _, key = ref.partition('.')
        if head == 'student' and key in self.student_records:
            return
        if head == 'teacher' and key in self.teacher_records:
            return
        if head in self.derived:
            return
        raise KeyError(
            f'{where}: unknown reference {ref!r}. Valid references: '
            f'{["student." + n for n in self.student_records.names()]} '
            f'{["teacher." + n for n in self.teacher_records.names()]} '
            f'derived {list(self.derived)} (or "<derived>.<key>").')

    def _validate_wiring(self) -> None:
        for name, d in self.derived.items():
            method = getattr(self._derived_module(name),
                             d.get('method', 'forward'), None)
            if not callable(method):
                raise AttributeError(f'derived {name!r}: distill module '
                                     f'{d["module"]!r} has no method '
                                     f'{d.get("method")!r}')
            module_inputs = d.get('module_inputs', {})
            for arg, path in module_inputs.items():
                get_submodule(self, path, f'distiller (derived {name!r}, '
                              f'module input {arg!r})')
            self._check_signature(method, {**d.get('inputs', {}),
                                           **module_inputs},
                                  f'derived {name!r}')
            for ref in d.get('inputs', {}).values():
                self._check_ref(ref, f'derived {name!r}')
        for step in self.train_steps:
            for name, method in step['losses'].items():
                fn = getattr(self.distill_losses[name], method)
                self._check_signature(fn, self.loss_inputs[name],
                                      f'distill loss {name!r}.{method}')
        for name, inputs in self.loss_inputs.items():
            for ref in inputs.values():
                self._check_ref(ref, f'distill loss {name!r}')
        self._warn_unused_recorders()

    def unused_recorders(self) -> Dict[str, List[str]]:
        """Recorders that no distill loss or derived call reads, per model.

        They still hold their tensor every step, and a teacher one may make
        the teacher run deeper than needed (``teacher_stage='auto'``).
        """
        refs = {r for d in self.derived.values()
                for r in d.get('inputs', {}).values()}
        refs |= {r for inputs in self.loss_inputs.values()
                 for r in inputs.values()}
        return {owner: [n for n in getattr(self, f'{owner}_records').names()
                        if f'{owner}.{n}' not in refs]
                for owner in ('student', 'teacher')}

    def _warn_unused_recorders(self) -> None:
        for owner, unused in self.unused_recorders().items():
            if unused:
                print_log(
                    f'{owner} recorders {unused} are read by no distill loss '
                    'or derived call: they only cost memory (and teacher '
                    'ones may make the teacher run deeper); remove them.',
                    logger='current', level=30)

    def _derived_module(self, name: str) -> nn.Module:
        """The module a derived call runs: a distill module's name or any
        dotted path in the distiller (``'teacher.neck.head'``)."""
        path = self.derived[name].get('module')
        if not isinstance(path, str):
            raise KeyError(f'derived {name!r} needs `module=` (a distill '
                           f'module name or a dotted module path)')
        if path in self.distill_modules:
            return self.distill_modules[path]
        return self._module_at(path, f'distiller (derived {name!r})')

    def _module_at(self, path: str, owner: str = 'distiller') -> nn.Module:
        """``get_submodule`` memoised: it walks every module of the
        distiller (0.25-0.46 ms per iteration for the StructKD Ho / GenKD
        derived calls, measured), so each path is looked up once."""
        if path not in self._modules_by_path:
            self._modules_by_path[path] = get_submodule(self, path, owner)
        return self._modules_by_path[path]

    @staticmethod
    def _check_signature(fn, inputs: dict, where: str) -> None:
        params = inspect.signature(fn).parameters
        if any(p.kind == p.VAR_KEYWORD for p in params.values()):
            return
        unknown = set(inputs) - set(params)
        required = {n for n, p in params.items()
                    if p.default is p.empty and p.kind in (
                        p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        missing = required - set(inputs)
        if unknown or missing:
            raise TypeError(
                f'{where}: inputs {sorted(inputs)} do not match the '
                f'signature {list(params)} (unknown {sorted(unknown)}, '
                f'missing {sorted(missing)})')

    def _step_losses(self, step: dict, records: dict,
                     owns_student: bool) -> Dict[str, torch.Tensor]:
        """Evaluate the losses of one step, resolving references lazily."""
        cache: Dict[str, object] = {}
        # derived values with once_per_iter=True, shared by the iteration's
        # steps through its records
        per_iter = records.setdefault('once_per_iter', {})

        def resolve(ref: str):
            head, _, key = ref.partition('.')
            if head in ('student', 'teacher'):
                value = records[head][key]
                if value is None:
                    raise RuntimeError(
                        f'recorder {ref!r} captured nothing: module '
                        f'{getattr(self, head + "_records").recorders[key].path!r}'
                        f' did not run in the {head} forward (for the teacher '
                        f'see `teacher_stage`)')
                if head == 'student' and not owns_student:
                    value = _detach(value)
                return value
            if head not in cache and head in per_iter:
                cache[head] = _detach(per_iter[head])
            if head not in cache:
                d = self.derived[head]
                kwargs = {a: resolve(r) for a, r in d['inputs'].items()}
                kwargs.update({a: self._module_at(p) for a, p in
                               d.get('module_inputs', {}).items()})
                fn = getattr(self._derived_module(head),
                             d.get('method', 'forward'))
                cache[head] = fn(**kwargs)
                if d.get('once_per_iter', False):
                    per_iter[head] = cache[head]
            value = cache[head]
            return value[key] if key else value

        message_hub = MessageHub.get_current_instance()
        epoch = message_hub.get_info('epoch', 0)
        iteration = message_hub.get_info('iter', 0)
        losses = {}
        for name, method in step['losses'].items():
            kwargs = {a: resolve(r) for a, r in self.loss_inputs[name].items()}
            loss_fn = getattr(self.distill_losses[name], method)
            try:
                out = loss_fn(**kwargs)
            except (ValueError, RuntimeError) as e:
                shapes = ', '.join(f'{a}={self.loss_inputs[name][a]} '
                                   f'{_shape(v)}' for a, v in kwargs.items())
                raise type(e)(
                    f'distill loss {name!r} ({type(self.distill_losses[name]).__name__}'
                    f'.{method}) failed on inputs {shapes}: {e}. If the '
                    f'shapes differ, add a connector (distill_modules + '
                    f'derived) such as ConvNormConnector or ResizeConnector.'
                ) from e
            factor = self.loss_schedules[name](epoch, iteration) \
                if name in self.loss_schedules else 1.0
            items = out.items() if isinstance(out, dict) else [(name, out)]
            for key, value in items:
                losses[f'loss_{key}'] = value * factor if factor != 1.0 \
                    else value
        return losses

    def _wrapper_for(self, optim_wrapper, name) -> OptimWrapper:
        if isinstance(optim_wrapper, OptimWrapperDict):
            if name is None:
                raise ValueError(
                    'the optim_wrapper has several optimizers '
                    f'{list(optim_wrapper.keys())}: set `train_steps` to say '
                    'which optimizer updates which losses')
            if name not in optim_wrapper:
                raise KeyError(f'train step optimizer {name!r} is not in the '
                               f'optim_wrapper {list(optim_wrapper.keys())}')
            return optim_wrapper[name]
        if name is not None and len(self.train_steps) > 1:
            raise TypeError(f'train_steps name optimizer {name!r} but the '
                            'runner built a single OptimWrapper; configure '
                            "optim_wrapper with constructor="
                            "'DistillerOptimWrapperConstructor'")
        return optim_wrapper

    def _collect_step_params(self, optim_wrapper) -> None:
        """Per step, the parameters its optimizer does not own, once:
        walking ``self.parameters()`` every step cost 0.18-0.77 ms per
        iteration on the demo configs (measured).
        All of them are kept (frozen ones too), so a parameter unfrozen
        later is still kept out of other optimizers' steps."""
        self._step_params = {}
        self._modules_by_path.clear()  # resolve again after model wrapping
        for step in self.train_steps:
            wrapper = self._wrapper_for(optim_wrapper, step['optim_wrapper'])
            owned = {id(p) for group in wrapper.optimizer.param_groups
                     for p in group['params']}
            self._step_params[step['optim_wrapper']] = [
                p for p in self.parameters() if id(p) not in owned]

    @contextmanager
    def _only_step_params_trainable(self, others: list) -> Iterator[None]:
        """Freeze every trainable parameter of ``others`` (the parameters
        the step's optimizer does not own) for the step."""
        toggled = [p for p in others if p.requires_grad]
        for p in toggled:
            p.requires_grad_(False)
        try:
            yield
        finally:
            for p in toggled:
                p.requires_grad_(True)


def _shape(value) -> str:
    if isinstance(value, torch.Tensor):
        return str(tuple(value.shape))
    if isinstance(value, (tuple, list)):
        return '[' + ', '.join(_shape(v) for v in value) + ']'
    return type(value).__name__


def _detach(value):
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)):
        return type(value)(_detach(v) for v in value)
    if isinstance(value, dict):
        return {k: _detach(v) for k, v in value.items()}
    return value
