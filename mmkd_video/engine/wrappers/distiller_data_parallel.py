"""Data parallel training for models that step several optimizers."""
from contextlib import ExitStack, contextmanager
from typing import Dict, Iterator, Union

import torch
import torch.nn as nn
from mmengine.dist import (all_reduce, all_reduce_params, broadcast,
                           get_world_size)
from mmengine.optim import OptimWrapper, OptimWrapperDict

# MMEngine's root registry, not ours: Runner.wrap_model resolves the wrapper
# type with MODEL_WRAPPERS.get, which searches the root and its direct
# children only (not mmkd_video, a grandchild under mmaction).
from mmengine.registry import MODEL_WRAPPERS


@contextmanager
def _grads_averaged_before_step(optim_wrapper: OptimWrapper
                                ) -> Iterator[None]:
    """Average this optimizer's gradients over ranks right before it steps.

    The average happens before ``AmpOptimWrapper`` unscales and checks for
    inf/nan, so every rank takes the same skip-or-step decision.
    """
    step = optim_wrapper.step

    def synced_step(**kwargs):
        grads = [p.grad for group in optim_wrapper.optimizer.param_groups
                 for p in group['params'] if p.grad is not None]
        all_reduce_params(grads, op='mean')
        return step(**kwargs)

    optim_wrapper.step = synced_step  # this instance, for this call only
    try:
        yield
    finally:
        del optim_wrapper.step


@MODEL_WRAPPERS.register_module()
class DistillerDataParallel(nn.Module):
    """Data parallel wrapper for a distiller (or any ``BaseModel``).

    Torch's DDP all-reduces gradients from hooks armed by one forward for
    one backward. A distiller runs one forward and then several updates,
    each with its own optimizer and backward (network, CVAE, discriminator),
    so DDP's reducer cannot serve it. This wrapper instead:

    * broadcasts rank 0's parameters and buffers once, at construction, so
      every rank starts from the same student, teacher and heads;
    * delegates ``train_step`` to the model's own ``train_step`` and
      averages each optimizer's gradients over ranks just before that
      optimizer steps (one coalesced all-reduce per optimizer; parameters
      without a gradient, e.g. the frozen teacher, take no part);
    * averages the logged losses over ranks, so the log shows the loss of
      the global batch.

    There is no ``find_unused_parameters``: a parameter that received no
    gradient is simply not reduced. The price against DDP is no overlap of
    communication with the backward pass. ``sync_bn`` is applied by the
    Runner before wrapping, as for DDP.

    Example:
        >>> model_wrapper_cfg = dict(type='DistillerDataParallel')

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
        for tensor in list(module.parameters()) + list(module.buffers()):
            broadcast(tensor.data, src=0)

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: Union[OptimWrapper, OptimWrapperDict]
                   ) -> Dict[str, torch.Tensor]:
        wrappers = optim_wrapper.values() \
            if isinstance(optim_wrapper, OptimWrapperDict) else [optim_wrapper]
        with ExitStack() as stack:
            for wrapper in wrappers:
                stack.enter_context(_grads_averaged_before_step(wrapper))
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
