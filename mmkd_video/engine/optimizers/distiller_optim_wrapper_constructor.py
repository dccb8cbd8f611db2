"""Build one optimizer wrapper per group of a distiller's modules."""
import copy
from typing import Dict, List

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict

from mmkd_video.models.distillers.recorder import get_submodule
from mmkd_video.registry import OPTIM_WRAPPER_CONSTRUCTORS


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class DistillerOptimWrapperConstructor:
    """An :class:`OptimWrapperDict` whose entries own disjoint module sets.

    Each key of the config is the name of one optimizer wrapper (the name a
    ``train_steps`` entry of the distiller refers to). Its ``modules`` lists
    the dotted paths of the distiller's submodules it optimizes (default:
    ``[key]``); everything else is an ordinary optim wrapper config, built by
    MMEngine's :class:`DefaultOptimWrapperConstructor` (``paramwise_cfg``
    and ``type`` included: our configs give every entry
    ``type='DataParallelOptimWrapper'``, which ``DistillerDataParallel``
    needs). Every trainable parameter must belong to exactly one wrapper,
    so nothing is silently left untrained.

    Args:
        optim_wrapper_cfg (dict): ``name -> optim wrapper config`` with an
            optional ``modules`` list each (``cfg.optim_wrapper`` without
            its ``constructor``).
        paramwise_cfg (dict, optional): Must be None: give it inside each
            entry, where it applies to that entry's modules.

    Examples:
        >>> optim_wrapper = dict(
        ...     constructor='DistillerOptimWrapperConstructor',
        ...     student=dict(type='DataParallelOptimWrapper',
        ...                  modules=['student', 'distill_modules.proj'],
        ...                  optimizer=dict(type='SGD', lr=0.01)),
        ...     discriminator=dict(
        ...         type='DataParallelOptimWrapper',
        ...         modules=['distill_losses.holistic.discriminator'],
        ...         optimizer=dict(type='SGD', lr=4e-4, momentum=0.9)))
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg=None) -> None:
        if not isinstance(optim_wrapper_cfg, dict) or not optim_wrapper_cfg:
            raise TypeError('optim_wrapper_cfg must be a non-empty dict of '
                            f'name -> optim wrapper config, but got '
                            f'{optim_wrapper_cfg!r}')
        if paramwise_cfg is not None:
            raise ValueError('give paramwise_cfg inside each optim wrapper '
                             'entry, not at the top level')
        self.cfgs: Dict[str, dict] = {}
        self.modules: Dict[str, List[str]] = {}
        for name, cfg in optim_wrapper_cfg.items():
            cfg = copy.deepcopy(dict(cfg))
            self.modules[name] = list(cfg.pop('modules', [name]))
            self.cfgs[name] = cfg

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        """Build one optim wrapper per entry over its modules' parameters.

        Args:
            model (nn.Module): The distiller (or its data parallel wrapper).

        Returns:
            OptimWrapperDict: ``name -> optim wrapper``.
        """
        model = getattr(model, 'module', model)  # unwrap DDP
        owner: Dict[int, str] = {}
        wrappers = {}
        for name, paths in self.modules.items():
            group = nn.ModuleDict()
            for path in paths:
                module = get_submodule(model, path, 'distiller')
                for p in module.parameters():
                    if id(p) in owner and owner[id(p)] != name:
                        raise ValueError(
                            f'module {path!r} is in optim wrappers '
                            f'{owner[id(p)]!r} and {name!r}: each parameter '
                            f'needs exactly one optimizer')
                    owner[id(p)] = name
                group[path.replace('.', '__')] = module
            cfg = copy.deepcopy(self.cfgs[name])
            paramwise_cfg = cfg.pop('paramwise_cfg', None)
            wrappers[name] = DefaultOptimWrapperConstructor(
                cfg, paramwise_cfg)(group)
        orphans = [n for n, p in model.named_parameters()
                   if p.requires_grad and id(p) not in owner]
        if orphans:
            raise ValueError(
                f'{len(orphans)} trainable parameters belong to no optimizer, '
                f'e.g. {orphans[:5]}. Add their module to an entry\'s '
                f'`modules`, or freeze it (distiller `frozen_modules`).')
        return OptimWrapperDict(**wrappers)
