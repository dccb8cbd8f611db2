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
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmkd_video.registry import MODELS
from .distill_wiring import DistillWiringMixin
from .model_spec import (ModelSpec, build_model_from_spec, build_teacher,
                         load_weights, set_requires_grad)
from .nonfinite_guard import NonFiniteGuard, describe_failure
from .recorder import RecorderGroup, get_submodule
from .teacher_cache import TeacherCache
from .teacher_precision import teacher_autocast


@MODELS.register_module()
class VideoDistiller(DistillWiringMixin, BaseModel):
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
            load_weights(self.student, student_ckpt, student_ckpt_prefix,
                         'student', strict=False)

        self.teacher = build_teacher(teacher, teacher_ckpt,
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
        self.teacher_stage = self.teacher_records.deepest_stage() \
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
        student alone (validation and test measure the student).

        Args:
            inputs (torch.Tensor): The preprocessed batch, e.g.
                [N, num_clips, C, T, H, W] for a 3D recognizer.
            data_samples (list[ActionDataSample], optional): Labels (and,
                for detectors, proposals and boxes).
            mode (str): ``'loss'``, ``'predict'`` or ``'tensor'``.

        Returns:
            dict[str, torch.Tensor] | list | torch.Tensor: ``loss_<name>``
            -> scalar for ``'loss'`` (no optimizer is stepped); the
            student's own output otherwise.
        """
        if mode == 'loss':
            task_losses, records = self.run_models(inputs, data_samples)
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
    def run_models(self, inputs: torch.Tensor, data_samples=None):
        """Student forward (loss mode) + the teacher's records.

        The teacher's records come from the teacher cache, or from
        :meth:`run_teacher`: before the student, or, with
        ``teacher_forward``, after it, on the student's records. Public so
        that tools (``tools/benchmark.py``) time the same run order.

        Args:
            inputs (torch.Tensor): The preprocessed batch.
            data_samples (list[ActionDataSample], optional): The batch's
                samples (their ``sample_idx`` keys a teacher cache).

        Returns:
            tuple[dict, dict]: The student's task losses (``loss_cls``...)
            and ``{'student': {recorder: value}, 'teacher': {recorder:
            value}}`` (no ``'teacher'`` without a teacher).
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

        Args:
            inputs (torch.Tensor): The preprocessed batch.
            data_samples (list[ActionDataSample], optional): The batch's
                samples.
            student_records (dict[str, Any], optional): The student's
                records of this iteration (``teacher_forward`` only).

        Returns:
            dict[str, Any]: ``recorder name -> value`` of the teacher's
            recorders, produced without autograd.
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

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: Union[OptimWrapper, OptimWrapperDict]
                   ) -> Dict[str, torch.Tensor]:
        """One iteration: one forward, one backward per train step, then,
        if every loss and gradient is finite on every rank, one update per
        optimizer (see :class:`NonFiniteGuard` for the other case).

        The optimizers step after all backward passes, so every step sees
        the parameters and the student outputs of the same forward (as
        StructKD's critic does in the official code).

        Args:
            data (dict | tuple | list): A batch from the dataloader, before
                the data preprocessor.
            optim_wrapper (OptimWrapper | OptimWrapperDict): The Runner's
                wrappers; each train step names its entry.

        Returns:
            dict[str, torch.Tensor]: Every step's ``loss_<name>`` terms and
            ``loss``, their total, for the log.
        """
        if self._step_params is None:
            self._collect_step_params(optim_wrapper)
        task_step = next(s for s in self.train_steps if s['task_loss'])
        task_wrapper = self._wrapper_for(optim_wrapper,
                                         task_step['optim_wrapper'])
        self.nonfinite_guard.save_buffers(self._trained_modules())
        with task_wrapper.optim_context(self):
            data = self.data_preprocessor(data, True)
            task_losses, records = self.run_models(**_as_kwargs(data))

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
            done.append((step, wrapper, step_vars, loss))
            log_vars.update((k, v) for k, v in step_vars.items()
                            if k != 'loss')
            total = total + loss.detach()
        log_vars['loss'] = total

        guard = self.nonfinite_guard
        if guard.all_finite(flags, recheck=lambda: [
                guard.exact_flag(loss, wrapper)
                for _, wrapper, _, loss in done]):
            guard.passed()
            for _, wrapper, _, _ in done:
                if wrapper.should_update():
                    wrapper.step()
                    wrapper.zero_grad()
            return log_vars
        named = {id(p): n for n, p in self.named_parameters()}
        failures = [describe_failure(step['optim_wrapper'], step_vars,
                                     wrapper, named)
                    for step, wrapper, step_vars, _ in done]
        for _, wrapper, _, _ in done:
            wrapper.zero_grad()
        guard.restore_buffers()
        guard.handle([f for f in failures if f])
        return log_vars

    def _trained_modules(self) -> List[nn.Module]:
        """The modules whose buffers a training forward may change."""
        return [self.student, self.distill_modules]


def _as_kwargs(data) -> dict:
    if isinstance(data, dict):
        return dict(inputs=data['inputs'],
                    data_samples=data.get('data_samples'))
    return dict(inputs=data[0], data_samples=data[1])
