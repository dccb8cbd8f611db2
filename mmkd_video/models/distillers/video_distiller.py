"""A config-driven teacher -> student distiller for mmaction2 models.

The distiller knows no method by name. A method is wired in the config from
five parts, each validated when the distiller is built:

* ``student_recorders`` / ``teacher_recorders``: tensors captured by forward
  hooks at dotted module paths (``'backbone'``, ``'cls_head'``...);
* ``distill_modules``: extra modules the distiller owns (connectors, GenKD's
  CVAE, StructKD's discriminator...), trainable or frozen;
* ``derived``: named calls of a distill module on references, e.g. a
  connector applied to ``'student.feat'``;
* ``distill_losses``: ``name -> loss config`` with ``inputs`` mapping each
  argument of the loss to a reference, and an optional weight ``schedule``;
* ``train_steps``: the ordered optimisation steps of one iteration; each
  names its optimizer wrapper and its losses (GenKD and StructKD alternate
  two optimizers; the default is one step with every loss).

A reference is ``'student.<recorder>'``, ``'teacher.<recorder>'``,
``'<derived>'`` or ``'<derived>.<key>'`` (for a derived call returning a
dict).

One iteration runs the student once (``mode='loss'``, with its recorders)
and the teacher once (tensor mode, ``no_grad``, with its recorders), then
each step's losses and backward pass in order. Inside a step every parameter
that the step's optimizer does not own is frozen, and student records are
detached unless the step owns the student, so each optimizer only ever moves
its own parameters. The optimizers step after the last backward, once every
loss and gradient is known to be finite (:class:`NonFiniteGuard`): every
step sees the parameters of the same forward.
"""
import copy
import inspect
import os.path as osp
from collections import OrderedDict
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.config import Config, ConfigDict
from mmengine.logging import MessageHub, print_log
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import CheckpointLoader

from mmkd_video.registry import MODELS
from mmkd_video.utils import check_state_dict_fits, declare_checkpoint_role
from .loss_schedule import LossWeightSchedule
from .nonfinite_guard import NonFiniteGuard, describe_failure
from .recorder import RecorderGroup, get_submodule
from .teacher_cache import TeacherCache
from .teacher_precision import teacher_autocast

ModelSpec = Union[dict, ConfigDict, str, nn.Module]


def build_model_from_spec(spec: ModelSpec, role: str) -> nn.Module:
    """Build a model from a config dict, a config file path or a module.

    Args:
        spec: A model config dict, a path to a config file whose ``model``
            is used (``'mmaction::recognition/...py'`` is resolved from the
            installed mmaction2), or an already built ``nn.Module``.
        role (str): ``'student'`` or ``'teacher'``, for error messages.
    """
    if isinstance(spec, nn.Module):
        return spec
    if isinstance(spec, str):
        if '::' in spec:
            from mmengine.hub import get_config
            cfg = get_config(spec)
        else:
            if not osp.isfile(spec):
                raise FileNotFoundError(
                    f'{role} config file {spec!r} does not exist. Give a '
                    f'model config dict, an existing config path or an '
                    f"'mmaction::...' config.")
            cfg = Config.fromfile(spec)
        if 'model' not in cfg:
            raise KeyError(f'{role} config {spec!r} has no `model` field')
        spec = cfg.model
    if not isinstance(spec, dict):
        raise TypeError(f'{role} must be a config dict, a config path or an '
                        f'nn.Module, but got {type(spec)}')
    # mmaction2 models build their parts from the default scope's registry;
    # outside a Runner there may be none yet.
    scope = DefaultScope.get_current_instance()
    with DefaultScope.overwrite_default_scope(
            None if scope is not None else 'mmkd_video'):
        return MODELS.build(ConfigDict(spec))


def set_requires_grad(module: nn.Module, flag: bool) -> None:
    for p in module.parameters():
        p.requires_grad_(flag)


def _shape(value) -> str:
    if isinstance(value, torch.Tensor):
        return str(tuple(value.shape))
    if isinstance(value, (tuple, list)):
        return '[' + ', '.join(_shape(v) for v in value) + ']'
    return type(value).__name__


@MODELS.register_module()
class VideoDistiller(BaseModel):
    """Distil a frozen teacher into a student, both mmaction2 models.

    Args:
        student (dict | str | nn.Module): The student: a model config, a
            config path (``mmaction::`` paths work) or a built module.
        teacher (dict | str | nn.Module, optional): The teacher, same forms.
            ``None`` for self-training setups (e.g. GenKD phase 1).
        teacher_ckpt (str, optional): Checkpoint loaded into the teacher at
            construction. Required when the teacher is given as a config.
        teacher_ckpt_prefix (str, optional): Only load the keys under this
            prefix (stripped), e.g. ``'student.'`` to take the student of a
            distiller checkpoint as teacher.
        student_ckpt (str, optional): Initial student weights, loaded
            non-strictly: keys of modules the checkpoint lacks (e.g. a new
            neck) stay with their ``init_cfg``.
        student_ckpt_prefix (str, optional): Like ``teacher_ckpt_prefix``.
        student_recorders (dict): ``name -> dict(module, source='output',
            index=None)`` recorded on the student.
        teacher_recorders (dict): Same for the teacher.
        distill_modules (dict): ``name -> module config``. Extra keys:
            ``frozen=True`` keeps the module in eval mode without gradients,
            ``checkpoint=PATH`` (+ ``checkpoint_prefix``) loads it here.
        derived (dict): ``name -> dict(module=<distill module name or dotted
            path such as 'teacher.neck.head'>, method='forward',
            inputs=dict(arg=reference), module_inputs=dict(arg=path))``,
            evaluated lazily once per step. ``module_inputs`` pass modules
            themselves (e.g. ``linear='student.cls_head.fc_cls'``).
            ``once_per_iter=True`` evaluates it once per iteration, at its
            first use, and gives later steps that value detached instead of
            computing it again (StructKD's critic step reuses the generator
            step's student map; since the optimizers step after every
            backward pass, a recomputed map would hold the same values).
        distill_losses (dict): ``name -> loss config`` with ``inputs`` (arg ->
            reference) and optional ``schedule`` (see
            :class:`LossWeightSchedule`). Logged as ``loss_<name>``; a loss
            returning a dict is logged as ``loss_<key>`` per key.
        train_steps (list[dict], optional): Ordered optimisation steps, each
            ``dict(optim_wrapper=NAME, losses=[names] or {name: method},
            task_loss=bool)``. ``None``: one step, the runner's single optim
            wrapper, every loss and the student's task loss.
        frozen_modules (list[str]): Dotted paths (``'student.backbone'``)
            kept frozen and in eval mode, like the teacher.
        teacher_stage (str): How far the teacher runs: ``'auto'`` stops after
            the backbone when no teacher recorder lies past it, else runs
            the head; or ``'backbone'``/``'neck'``/``'head'``.
        teacher_forward (dict, optional): How the teacher runs, for teachers
            a recognizer's ``stage=`` does not fit. ``None`` (default): the
            teacher runs first, in tensor mode up to ``teacher_stage``.
            A config, e.g. ``dict(type='RoITeacherForward',
            rois='student.rois')`` for detectors: built from ``MODELS``, it
            is called as ``fn(teacher, inputs, data_samples,
            student_records)`` after the student's forward, so the teacher
            can reuse what the student saw (its sampled RoIs).
        nonfinite (str): What a NaN/inf loss or gradient does, checked
            before any optimizer steps (:class:`NonFiniteGuard`).
            ``'raise'`` (default): one error naming the iteration, the
            train step and the terms/parameters; ``'skip'``: no update,
            buffers restored, counted.
        nonfinite_limits (dict, optional): ``dict(max_consecutive=5,
            max_total=20)``: skips past either end the run.
        teacher_cache (str, optional): A teacher cache folder (written by
            ``tools/build_teacher_cache.py``): the teacher records are read
            from it by ``sample_idx`` instead of running the teacher (the
            training dataset must be a ``TeacherCacheDataset``). The teacher
            is still built: derived calls may use its modules.
        data_preprocessor (dict, optional): Defaults to the student's.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 student: ModelSpec,
                 teacher: Optional[ModelSpec] = None,
                 teacher_ckpt: Optional[str] = None,
                 teacher_ckpt_prefix: Optional[str] = None,
                 student_ckpt: Optional[str] = None,
                 student_ckpt_prefix: Optional[str] = None,
                 student_recorders: Optional[Dict[str, dict]] = None,
                 teacher_recorders: Optional[Dict[str, dict]] = None,
                 distill_modules: Optional[Dict[str, dict]] = None,
                 derived: Optional[Dict[str, dict]] = None,
                 distill_losses: Optional[Dict[str, dict]] = None,
                 train_steps: Optional[List[dict]] = None,
                 frozen_modules: Sequence[str] = (),
                 teacher_stage: str = 'auto',
                 teacher_forward: Optional[dict] = None,
                 nonfinite: str = 'raise',
                 nonfinite_limits: Optional[dict] = None,
                 teacher_cache: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        student = build_model_from_spec(student, 'student')
        if data_preprocessor is None:
            data_preprocessor = student.data_preprocessor
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        # dotted path -> module, for derived calls (see _module_at)
        self._modules_by_path: Dict[str, nn.Module] = {}
        self.student = student
        if student_ckpt is not None:
            self._load(self.student, student_ckpt, student_ckpt_prefix,
                       'student', strict=False)

        self.teacher = self._build_teacher(teacher, teacher_ckpt,
                                           teacher_ckpt_prefix)
        if teacher_recorders and self.teacher is None:
            raise ValueError('teacher_recorders are set but teacher is None')
        self.student_records = RecorderGroup(self.student, student_recorders,
                                             'student')
        self.teacher_records = RecorderGroup(
            self.teacher if self.teacher is not None else nn.Module(),
            teacher_recorders, 'teacher')

        self._build_distill_modules(distill_modules or {})
        self.frozen_modules = list(frozen_modules)
        for path in self.frozen_modules:
            set_requires_grad(get_submodule(self, path, 'distiller'), False)

        self.derived = {k: dict(v) for k, v in (derived or {}).items()}
        self._build_losses(distill_losses or {})
        self.train_steps = self._parse_steps(train_steps)
        if teacher_stage not in ('auto', 'backbone', 'neck', 'head'):
            raise ValueError(f"teacher_stage must be 'auto', 'backbone', "
                             f"'neck' or 'head', but got {teacher_stage!r}")
        self.teacher_stage = self._auto_teacher_stage() \
            if teacher_stage == 'auto' else teacher_stage
        self.teacher_forward = None
        if teacher_forward is not None:
            if self.teacher is None:
                raise ValueError('teacher_forward is set but teacher is None')
            self.teacher_forward = MODELS.build(teacher_forward)
            for ref in self.teacher_forward.references:
                self._check_ref(ref, 'teacher_forward')
        self.nonfinite_guard = NonFiniteGuard(nonfinite,
                                              **(nonfinite_limits or {}))
        self._validate_wiring()
        self.teacher_cache = None
        if teacher_cache is not None:
            if self.teacher_forward is not None:
                raise ValueError(
                    'teacher_cache and teacher_forward are both set: a cache '
                    'holds one record per sample, while teacher_forward runs '
                    'the teacher on what the student saw in this step (e.g. '
                    'its sampled RoIs). Use one of them.')
            if self.teacher is None or not self.teacher_records.names():
                raise ValueError('teacher_cache is set, but there is no '
                                 'teacher or no teacher_recorders to cache')
            self.teacher_cache = TeacherCache(teacher_cache)
            self.teacher_cache.check_teacher(self.teacher,
                                             self.teacher_records.recorders)
            self.teacher_cache.check_preprocessor(self.data_preprocessor)
        # per train step: the parameters its optimizer does not own
        # (collected at the first train_step, see _collect_step_params)
        self._step_params: Optional[Dict[Optional[str], list]] = None

    # ------------------------------------------------------------------
    # construction helpers
    # ------------------------------------------------------------------
    def _build_teacher(self, teacher: Optional[ModelSpec],
                       ckpt: Optional[str],
                       prefix: Optional[str]) -> Optional[nn.Module]:
        """Build, load and freeze the teacher (eval, no gradients)."""
        if teacher is None:
            return None
        given_built = isinstance(teacher, nn.Module)
        model = build_model_from_spec(teacher, 'teacher')
        if ckpt is not None:
            self._load(model, ckpt, prefix, 'teacher')
        elif given_built:
            model._is_init = True  # given ready: never re-initialise
        else:
            raise ValueError(
                'teacher_ckpt is None: a teacher built from a config would '
                "be random. Set `teacher_ckpt` to the trained teacher's "
                'checkpoint (train it with tools/train.py on its own config '
                'first).')
        set_requires_grad(model, False)
        return model.eval()

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
                self._load(module, ckpt, prefix, f'distill module {name!r}')
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

    @staticmethod
    def _load(module: nn.Module, path: str, prefix: Optional[str],
              what: str, strict: bool = True) -> List[str]:
        """Load ``path`` (keys under ``prefix``) into ``module``.

        A checkpoint that does not fit (shapes, unexpected keys, or missing
        keys when ``strict``) raises one error with the first mismatches
        and their counts. Every direct child whose weights all came from
        the checkpoint is marked initialised, so the Runner's
        ``init_weights()`` does not overwrite it. Returns the missing keys
        (only possible with ``strict=False``).
        """
        if '://' not in path and not osp.isfile(path):
            raise FileNotFoundError(
                f'{what} checkpoint not found: {path!r}. Train it first (or '
                f'fix the path in the config).')
        declare_checkpoint_role(path, f'{what} checkpoint')
        ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
        state = ckpt.get('state_dict', ckpt)
        state = OrderedDict((k[7:] if k.startswith('module.') else k, v)
                            for k, v in state.items())
        if prefix:
            state = OrderedDict((k[len(prefix):], v) for k, v in state.items()
                                if k.startswith(prefix))
            if not state:
                raise KeyError(f'{what} checkpoint {path!r} has no keys under '
                               f'prefix {prefix!r}')
        missing = check_state_dict_fits(module, state, path, what, prefix,
                                        strict)
        module.load_state_dict(state, strict=False)
        if missing:
            print_log(f'{what}: {len(missing)} keys not in {path!r}, left to '
                      f'init_weights: {missing[:8]}', logger='current')
        missing_roots = {k.split('.')[0] for k in missing}
        for name, child in module.named_children():
            if name not in missing_roots and hasattr(child, '_is_init'):
                child._is_init = True
        if not missing and hasattr(module, '_is_init'):
            module._is_init = True
        print_log(f'{what} loaded from {path!r}', logger='current')
        return missing

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

    def _auto_teacher_stage(self) -> str:
        """Run the teacher only as far as its deepest recorder."""
        roots = {r.path.split('.')[0]
                 for r in self.teacher_records.recorders.values()}
        if roots and roots <= {'backbone'}:
            return 'backbone'
        if roots and roots <= {'backbone', 'neck'}:
            return 'neck'
        return 'head'

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

    # ------------------------------------------------------------------
    # modes
    # ------------------------------------------------------------------
    def train(self, mode: bool = True) -> 'VideoDistiller':
        """Switch modes, keeping the teacher and frozen modules in eval."""
        super().train(mode)
        if self.teacher is not None:
            self.teacher.eval()
        for name in self._frozen_distill_modules:
            self.distill_modules[name].eval()
        for path in self.frozen_modules:
            get_submodule(self, path, 'distiller').eval()
        return self

    def forward(self, inputs: torch.Tensor, data_samples=None,
                mode: str = 'tensor'):
        """``loss``: task + every distill loss; ``predict``/``tensor``: the
        student alone (validation and test measure the student)."""
        if mode == 'loss':
            task_losses, records = self._run_models(inputs, data_samples)
            losses = dict(task_losses)
            for step in self.train_steps:
                losses.update(self._step_losses(step, records, True))
            return losses
        if mode in ('predict', 'tensor'):
            return self.student(inputs, data_samples, mode=mode)
        raise RuntimeError(f"Invalid mode {mode!r}: expected 'loss', "
                           f"'predict' or 'tensor'")

    # ------------------------------------------------------------------
    # one iteration
    # ------------------------------------------------------------------
    def _run_models(self, inputs, data_samples):
        """Student forward (loss mode) + the teacher's records.

        The teacher's records come from the teacher cache, or from
        :meth:`run_teacher`: before the student, or, with
        ``teacher_forward``, after it, on the student's records.
        """
        records = {}
        if self.teacher_cache is not None:
            records['teacher'] = self.teacher_cache.lookup(data_samples,
                                                           inputs.device)
        elif self.teacher is not None and self.teacher_forward is None:
            records['teacher'] = self.run_teacher(inputs, data_samples)
        with self.student_records.recording() as rec_s:
            task_losses = self.student(inputs, data_samples, mode='loss')
        records['student'] = rec_s
        if self.teacher_forward is not None and self.teacher_cache is None:
            records['teacher'] = self.run_teacher(inputs, data_samples, rec_s)
        return task_losses, records

    def run_teacher(self, inputs: torch.Tensor, data_samples=None,
                    student_records=None) -> Dict[str, torch.Tensor]:
        """The teacher's part of a step, without autograd (bfloat16 under
        AMP); returns ``recorder name -> value``.

        A recognizer teacher runs in tensor mode up to ``teacher_stage``.
        With ``teacher_forward`` (detectors) it runs on ``student_records``
        (the student's sampled RoIs), which are then required.
        """
        with torch.no_grad(), teacher_autocast(inputs.device.type), \
                self.teacher_records.recording() as records:
            if self.teacher_forward is None:
                self.teacher(inputs, data_samples, mode='tensor',
                             stage=self.teacher_stage)
            elif student_records is None:
                raise ValueError('this teacher runs on the student\'s '
                                 'records (teacher_forward): pass '
                                 'student_records')
            else:
                self.teacher_forward(self.teacher, inputs, data_samples,
                                     student_records)
        return records

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

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: Union[OptimWrapper, OptimWrapperDict]
                   ) -> Dict[str, torch.Tensor]:
        """One iteration: one forward, one backward per train step, then,
        if every loss and gradient is finite on every rank, one update per
        optimizer (see :class:`NonFiniteGuard` for the other case).

        The optimizers step after all backward passes, so every step sees
        the parameters and the student outputs of the same forward (as
        StructKD's critic does in the official code).
        """
        if self._step_params is None:
            self._collect_step_params(optim_wrapper)
        task_step = next(s for s in self.train_steps if s['task_loss'])
        task_wrapper = self._wrapper_for(optim_wrapper,
                                         task_step['optim_wrapper'])
        self.nonfinite_guard.save_buffers(self._trained_modules())
        with task_wrapper.optim_context(self):
            data = self.data_preprocessor(data, True)
            task_losses, records = self._run_models(**_as_kwargs(data))

        log_vars = OrderedDict()
        total = 0.
        done, flags = [], []
        for step in self.train_steps:
            wrapper = self._wrapper_for(optim_wrapper, step['optim_wrapper'])
            others = self._step_params[step['optim_wrapper']]
            owns_student = step['task_loss']
            with self._only_step_params_trainable(others), \
                    wrapper.optim_context(self):
                losses = self._step_losses(step, records, owns_student)
                if step['task_loss']:
                    losses = {**task_losses, **losses}
                loss, step_vars = self.parse_losses(losses)
                wrapper.backward(wrapper.scale_loss(loss))
            flags.append(self.nonfinite_guard.finite_flag(loss, wrapper))
            done.append((step, wrapper, step_vars))
            log_vars.update((k, v) for k, v in step_vars.items()
                            if k != 'loss')
            total = total + loss.detach()
        log_vars['loss'] = total

        if self.nonfinite_guard.all_finite(flags):
            self.nonfinite_guard.passed()
            for _, wrapper, _ in done:
                if wrapper.should_update():
                    wrapper.step()
                    wrapper.zero_grad()
            return log_vars
        named = {id(p): n for n, p in self.named_parameters()}
        failures = [describe_failure(step['optim_wrapper'], step_vars,
                                     wrapper, named)
                    for step, wrapper, step_vars in done]
        for _, wrapper, _ in done:
            wrapper.zero_grad()
        self.nonfinite_guard.restore_buffers()
        self.nonfinite_guard.handle([f for f in failures if f])
        return log_vars

    def _trained_modules(self) -> List[nn.Module]:
        """The modules whose buffers a training forward may change."""
        return [self.student, self.distill_modules]


def _detach(value):
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)):
        return type(value)(_detach(v) for v in value)
    if isinstance(value, dict):
        return {k: _detach(v) for k, v in value.items()}
    return value


def _as_kwargs(data) -> dict:
    if isinstance(data, dict):
        return dict(inputs=data['inputs'],
                    data_samples=data.get('data_samples'))
    return dict(inputs=data[0], data_samples=data[1])
