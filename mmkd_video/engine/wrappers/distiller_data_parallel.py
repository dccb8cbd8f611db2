"""Data parallel training for models that step several optimizers."""
from typing import Dict, Union

import torch
import torch.nn as nn
from mmengine.dist import all_reduce, broadcast, get_world_size
from mmengine.optim import OptimWrapper, OptimWrapperDict

# MMEngine's root registry, not ours: Runner.wrap_model resolves the wrapper
# type with MODEL_WRAPPERS.get, which searches the root and its direct
# children only (not mmkd_video, a grandchild under mmaction).
from mmengine.registry import MODEL_WRAPPERS

from mmkd_video.engine.optimizers import GradientAveragingMixin


@MODEL_WRAPPERS.register_module()
class DistillerDataParallel(nn.Module):
    """Data parallel wrapper for a distiller (or any ``BaseModel``).

    Torch's DDP all-reduces gradients from hooks armed by one forward for
    one backward. A distiller runs one forward and then several updates,
    each with its own optimizer and backward (network, CVAE, discriminator),
    so DDP's reducer cannot serve it. This wrapper instead:

    * broadcasts rank 0's parameters and buffers once, at construction, so
      every rank starts from the same student, teacher and heads;
    * delegates ``train_step`` to the model's own ``train_step``, whose
      optim wrappers must be :class:`DataParallelOptimWrapper` or
      :class:`DataParallelAmpOptimWrapper`: each averages its optimizer's
      gradients over ranks just before stepping (one coalesced all-reduce
      per optimizer; parameters without a gradient, e.g. the frozen
      teacher, take no part). Another wrapper type would let the ranks
      drift apart, so the first ``train_step`` raises on it;
    * averages the logged losses over ranks, so the log shows the loss of
      the global batch.

    There is no ``find_unused_parameters``: a parameter that received no
    gradient is simply not reduced. The price against DDP is no overlap of
    communication with the backward pass. ``sync_bn`` is applied by the
    Runner before wrapping, as for DDP.

    Example:
        >>> model_wrapper_cfg = dict(type='DistillerDataParallel')
        >>> optim_wrapper = dict(type='DataParallelOptimWrapper',
        ...                      optimizer=dict(type='SGD', lr=0.01))

    Args:
        module (nn.Module): The model; its ``train_step`` does the updates.
        reduce_log_vars (bool): Average logged values over ranks.
            Defaults to True.
    """

    def __init__(self, module: nn.Module,
                 reduce_log_vars: bool = True) -> None:
        super().__init__()
        self.module = module
        self.reduce_log_vars = reduce_log_vars
        self._wrappers_checked = False
        for tensor in list(module.parameters()) + list(module.buffers()):
            broadcast(tensor.data, src=0)

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: Union[OptimWrapper, OptimWrapperDict]
                   ) -> Dict[str, torch.Tensor]:
        """The model's ``train_step`` on this rank's batch; the logged
        values averaged over ranks.

        Args:
            data (dict | tuple | list): This rank's batch.
            optim_wrapper (OptimWrapper | OptimWrapperDict): Gradient
                averaging wrappers (checked at the first call).

        Returns:
            dict[str, torch.Tensor]: The log variables, rank-averaged when
            ``reduce_log_vars``.
        """
        if not self._wrappers_checked:
            check_wrappers_average(optim_wrapper)
            self._wrappers_checked = True
        log_vars = self.module.train_step(data, optim_wrapper)
        if self.reduce_log_vars and get_world_size() > 1 and log_vars:
            values = torch.stack([v.detach().float().reshape(())
                                  for v in log_vars.values()])
            all_reduce(values, op='mean')
            log_vars = type(log_vars)(zip(log_vars.keys(), values.unbind()))
        return log_vars

    def val_step(self, data: Union[dict, tuple, list]) -> list:
        return self.module.val_step(data)

    def test_step(self, data: Union[dict, tuple, list]) -> list:
        return self.module.test_step(data)


def check_wrappers_average(optim_wrapper: Union[OptimWrapper,
                                                OptimWrapperDict]) -> None:
    """Raise unless every optim wrapper averages gradients over ranks.

    Args:
        optim_wrapper (OptimWrapper | OptimWrapperDict): What the Runner
            built from ``cfg.optim_wrapper``.

    Raises:
        TypeError: With world size > 1, for the first wrapper that is not a
            :class:`GradientAveragingMixin` (its ranks would drift apart).
    """
    if get_world_size() == 1:
        return
    named = optim_wrapper.items() \
        if isinstance(optim_wrapper, OptimWrapperDict) \
        else [('optim_wrapper', optim_wrapper)]
    for name, wrapper in named:
        if not isinstance(wrapper, GradientAveragingMixin):
            where = 'optim_wrapper' if name == 'optim_wrapper' \
                else f'optim_wrapper.{name}'
            raise TypeError(
                'DistillerDataParallel averages no gradients itself: '
                'expected every optim wrapper to be DataParallelOptimWrapper '
                'or DataParallelAmpOptimWrapper, but got '
                f'{type(wrapper).__name__} for {name!r}. Set '
                f"{where}.type='DataParallelOptimWrapper' (its AMP twin: "
                "'DataParallelAmpOptimWrapper') in the config.")
