"""Per-term diagnostics of a distillation run: how hard each term pulls on
the student backbone, and how much GenKD's attention changes across clips."""
from contextlib import ExitStack
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmkd_video.models.distillers import ModuleRecorder
from mmkd_video.models.heads import attention_spread
from mmkd_video.models.method_generator import (method_generator_states,
                                                set_method_generator_states)
from mmkd_video.models.necks import GenKDAttentionNeck
from mmkd_video.models.roi_heads import GenKDRoIAttention
from mmkd_video.registry import HOOKS
from .random_state_hook import get_random_states, set_random_states

GENKD_ATTENTION = (GenKDAttentionNeck, GenKDRoIAttention)


@HOOKS.register_module()
class DistillDiagnosticsHook(Hook):
    """Log per-term gradient ratios and GenKD's attention spread.

    Off unless a config adds it::

        custom_hooks = [dict(type='DistillDiagnosticsHook', interval=10)]

    Every ``interval`` training iterations (before the iteration's update,
    on its batch and its weights), for each distillation term ``loss_<k>``
    that reaches the student: ``||grad_B loss_<k>|| / ||grad_B L_task||``,
    the L2 norm over all student backbone parameters ``B`` of the gradient
    of that term alone, over that of the task loss (the sum of
    ``task_loss_keys``; the student recognizer's ``loss_cls``). Terms whose
    train step does not own the student (GenKD's CVAE step: ``cvae``,
    ``gd``; StructKD's critic step: ``adv_d``, ``gp``) put no gradient on
    the backbone in training and are not logged. Scalars:

    - ``diag/grad_ratio/<k>`` per term, ``diag/grad_norm/task``;
    - at each validation, ``diag/att_spread``: :func:`attention_spread` of
      the student's GenKD attention over all validation clips (RoIs for
      detectors), when the student has a ``GenKDAttentionNeck`` or
      ``GenKDRoIAttention``; ``diag/att_spread_channel_mean``: the same
      for the attention averaged over channels (what the attention pictures
      draw; it hides per-channel changes, see :func:`attention_spread`).

    They go to the message hub (``runner.message_hub.get_scalar(key)``,
    saved with checkpoints) and, one line per logged step, to the
    visualizer (``vis_data/scalars.json``, with ``step``).

    The diagnostic pass does not change training: it runs one extra forward
    (``mode='loss'``) and one ``torch.autograd.grad`` per term (no
    ``.grad`` is written), with the global and method random states saved
    before and restored after (so it draws the same dropout masks and CVAE
    noise as the iteration it precedes) and every buffer (BatchNorm
    statistics) restored. Cost: about one training iteration per term on
    logged iterations, nothing on the others.

    StructKD's critic: ``loss_adv_d`` (``w * (E[D(S)] - E[D(T)])``, minus
    ``w`` times the Wasserstein estimate) and ``loss_gp`` are training log
    keys already; this hook does not repeat them.

    Args:
        interval (int): Training iterations between gradient diagnostics;
            0 logs only the validation's attention spread (e.g. GenKD phase
            1, whose backbone is frozen). Defaults to 50.
        task_loss_keys (Sequence[str]): The student's own loss keys.
            Defaults to ``('loss_cls',)`` (mmaction2 recognizers; AVA
            detectors: ``('loss_action_cls',)``).
        backbone (str): The student's module whose parameters' gradients
            are measured. Defaults to ``'backbone'``.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 50,
                 task_loss_keys: Sequence[str] = ('loss_cls', ),
                 backbone: str = 'backbone') -> None:
        if not isinstance(interval, int) or interval < 0:
            raise ValueError(f'interval expected an int >= 0 (0: no '
                             f'gradient diagnostics), but got {interval!r}')
        self.interval = interval
        self.task_loss_keys = tuple(task_loss_keys)
        self.backbone = backbone
        self._recorders: List[ModuleRecorder] = []
        self._stack: Optional[ExitStack] = None
        self._att: List[torch.Tensor] = []

    # ------------------------------------------------------------------
    # gradient ratios
    # ------------------------------------------------------------------
    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        if (not self.interval or data_batch is None
                or (runner.iter + 1) % self.interval != 0):
            return
        model = _unwrap(runner.model)
        ratios = self.gradient_ratios(model, data_batch)
        step = runner.iter + 1
        for key, value in ratios.items():
            runner.message_hub.update_scalar(key, value)
        runner.visualizer.add_scalars(ratios, step=step)

    def gradient_ratios(self, model: nn.Module,
                        data_batch) -> Dict[str, float]:
        """``diag/grad_ratio/<k>`` per term and ``diag/grad_norm/task`` on
        ``data_batch``; training state (random streams, buffers, ``.grad``)
        is left as it was."""
        student = getattr(model, 'student', None)
        if student is None or not hasattr(student, self.backbone):
            raise ValueError(
                'DistillDiagnosticsHook expected a distiller with '
                f'`student.{self.backbone}`, but got '
                f'{type(model).__name__}')
        params = [p for p in getattr(student, self.backbone).parameters()
                  if p.requires_grad]
        if not params:
            raise ValueError(
                f'DistillDiagnosticsHook: student.{self.backbone} has no '
                'trainable parameter (frozen backbone, e.g. GenKD phase 1):'
                ' there is no gradient ratio to measure; set `interval=0` '
                '(attention spread only) or `backbone=` to a trained module')
        excluded = _keys_of_steps_without_student(model)
        random_states = get_random_states()
        generators = method_generator_states(model)
        buffers = {n: b.clone() for n, b in model.named_buffers()}
        try:
            data = model.data_preprocessor(data_batch, True)
            losses = model(data['inputs'], data['data_samples'], mode='loss')
            missing = [k for k in self.task_loss_keys if k not in losses]
            if missing:
                raise KeyError(
                    f'DistillDiagnosticsHook: task loss keys {missing} are '
                    f'not among the losses {sorted(losses)}; set '
                    '`task_loss_keys`')
            task = sum(losses[k] for k in self.task_loss_keys)
            task_norm = _grad_norm(task, params)
            if task_norm is None:
                raise ValueError(
                    f'DistillDiagnosticsHook: the task loss '
                    f'{self.task_loss_keys} has no gradient on '
                    f'student.{self.backbone}')
            out = {'diag/grad_norm/task': task_norm}
            for key, value in losses.items():
                if (not key.startswith('loss_') or key in self.task_loss_keys
                        or key in excluded or
                        not isinstance(value, torch.Tensor) or
                        not value.requires_grad):
                    continue
                norm = _grad_norm(value, params)
                if norm is not None:  # None: no path to the backbone
                    out[f'diag/grad_ratio/{key[len("loss_"):]}'] = \
                        norm / max(task_norm, 1e-12)
        finally:
            set_random_states(random_states)
            set_method_generator_states(model, generators)
            with torch.no_grad():
                for name, buf in model.named_buffers():
                    buf.copy_(buffers[name])
        return out

    # ------------------------------------------------------------------
    # attention spread at validation
    # ------------------------------------------------------------------
    def before_val_epoch(self, runner) -> None:
        student = getattr(_unwrap(runner.model), 'student', None)
        root = student if student is not None else _unwrap(runner.model)
        self._recorders = [
            ModuleRecorder(root, f'{name}.attention_tap')
            for name, m in root.named_modules()
            if isinstance(m, GENKD_ATTENTION)]
        self._att = []
        self._stack = ExitStack()
        for recorder in self._recorders:
            self._stack.enter_context(recorder.recording())

    def after_val_iter(self, runner, batch_idx: int, data_batch=None,
                       outputs=None) -> None:
        for recorder in self._recorders[:1]:  # the first GenKD attention
            if recorder.data is not None:
                self._att.append(recorder.data.detach().float().cpu())
                recorder.data = None

    def after_val_epoch(self, runner, metrics=None) -> None:
        if self._stack is not None:
            self._stack.close()
            self._stack = None
        att, self._att, self._recorders = self._att, [], []
        if not att:
            return
        att = torch.cat(att)  # [N_val, C, T]
        if att.shape[0] < 2:
            return
        values = {
            'diag/att_spread': attention_spread(att).item(),
            'diag/att_spread_channel_mean':
            attention_spread(att.mean(1, keepdim=True)).item()}
        for key, value in values.items():
            runner.message_hub.update_scalar(key, value)
        runner.visualizer.add_scalars(values, step=runner.iter)


def _unwrap(model: nn.Module) -> nn.Module:
    return model.module if is_model_wrapper(model) else model


def _grad_norm(loss: torch.Tensor,
               params: List[nn.Parameter]) -> Optional[float]:
    """L2 norm of d loss / d params over all of them; None if ``loss`` does
    not depend on any."""
    grads = torch.autograd.grad(loss, params, retain_graph=True,
                                allow_unused=True)
    squares = [g.float().pow(2).sum() for g in grads if g is not None]
    return torch.stack(squares).sum().sqrt().item() if squares else None


def _keys_of_steps_without_student(model: nn.Module) -> set:
    """``loss_<name>`` of the losses in train steps that do not own the
    student (their student inputs are detached in training)."""
    steps = getattr(model, 'train_steps', None) or []
    return {f'loss_{name}' for step in steps if not step['task_loss']
            for name in step['losses']}
