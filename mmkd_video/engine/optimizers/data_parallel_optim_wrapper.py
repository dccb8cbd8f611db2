"""Optim wrappers that average gradients over ranks just before stepping.

They go with :class:`~mmkd_video.engine.wrappers.DistillerDataParallel`,
which has no DDP reducer: a distiller runs one forward and then one backward
per optimizer (network, CVAE, discriminator), so each optimizer's gradients
are averaged by its own wrapper, in ``step``, after all the backward passes
of the iteration. As with MMEngine's ``DeepSpeedOptimWrapper`` for
``DeepSpeedStrategy``, the optim wrapper type goes with the model wrapper.
"""
from mmengine.dist import all_reduce_params, get_world_size
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from mmkd_video.registry import OPTIM_WRAPPERS


class GradientAveragingMixin:
    """``step`` first averages this optimizer's gradients over all ranks.

    The average comes before everything the wrapped ``step`` does: before
    gradient clipping (``clip_grad`` clips the global gradient, as under
    DDP) and, for :class:`AmpOptimWrapper`, before the loss scaler unscales
    and checks for inf/NaN, so every rank takes the same skip-or-step
    decision and the same scale update. Gradients are averaged while still
    scaled; every rank holds the same scale, so that is the average of the
    unscaled ones.

    One coalesced all-reduce per step; parameters without a gradient (a
    frozen teacher, a module the step did not reach) take no part, which
    needs the same parameters to have gradients on every rank. With world
    size 1 nothing is collected or communicated.
    """

    def step(self, **kwargs) -> None:
        """Average the gradients over ranks, then the wrapper's own step.

        Args:
            kwargs: Passed to the wrapper's ``step`` (and on to
                :meth:`torch.optim.Optimizer.step`).
        """
        if get_world_size() > 1:
            grads = [p.grad for group in self.optimizer.param_groups
                     for p in group['params'] if p.grad is not None]
            all_reduce_params(grads, op='mean')
        super().step(**kwargs)


@OPTIM_WRAPPERS.register_module()
class DataParallelOptimWrapper(GradientAveragingMixin, OptimWrapper):
    """:class:`OptimWrapper` whose ``step`` averages gradients over ranks.

    Examples:
        >>> optim_wrapper = dict(
        ...     type='DataParallelOptimWrapper',
        ...     optimizer=dict(type='SGD', lr=0.01, momentum=0.9),
        ...     clip_grad=dict(max_norm=40))
    """


@OPTIM_WRAPPERS.register_module()
class DataParallelAmpOptimWrapper(GradientAveragingMixin, AmpOptimWrapper):
    """:class:`AmpOptimWrapper` whose ``step`` averages the (scaled)
    gradients over ranks before unscaling and checking them.

    ``tools/train.py --amp`` turns ``DataParallelOptimWrapper`` entries into
    this one (:func:`mmkd_video.utils.enable_amp`).

    Examples:
        >>> optim_wrapper = dict(
        ...     type='DataParallelAmpOptimWrapper', loss_scale='dynamic',
        ...     optimizer=dict(type='SGD', lr=0.01))
    """
