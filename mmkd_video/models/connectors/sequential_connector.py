"""Chain of connectors applied one after the other."""
import inspect
from typing import List, Optional, Sequence, Union

import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmkd_video.registry import MODELS


@MODELS.register_module()
class SequentialConnector(BaseModule):
    """Apply several connectors in order, e.g. channel projection then
    resize.

    ``target_shape`` given to :meth:`forward` goes to every connector whose
    ``forward`` has a ``target_shape`` parameter (read once, at
    construction) and to no other.

    Args:
        connectors (Sequence[dict | nn.Module]): Connector configs (built
            with the mmkd_video ``MODELS`` registry) or modules, in order.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None.

    Examples:
        >>> connector = SequentialConnector([
        ...     dict(type='ConvNormConnector', in_channels=256,
        ...          out_channels=1024),
        ...     dict(type='ResizeConnector', size=(None, 7, 7)),
        ... ])
        >>> connector(torch.rand(2, 256, 8, 14, 14)).shape
        torch.Size([2, 1024, 8, 7, 7])
    """

    def __init__(self,
                 connectors: Sequence[Union[dict, nn.Module]],
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(connectors, (dict, nn.Module)) or not connectors:
            raise ValueError('connectors expected a non-empty list of '
                             f'configs or modules, but got {connectors!r}')
        modules = []
        for connector in connectors:
            if isinstance(connector, dict):
                connector = MODELS.build(connector)
            if not isinstance(connector, nn.Module):
                raise TypeError('connectors expected dicts or nn.Modules, '
                                f'but got {type(connector)}')
            modules.append(connector)
        self.connectors = nn.ModuleList(modules)
        self._takes_target_shape: List[bool] = [
            'target_shape' in inspect.signature(m.forward).parameters
            for m in modules
        ]

    def forward(self,
                feature: Tensor,
                target_shape: Optional[Sequence[Optional[int]]] = None
                ) -> Tensor:
        """Apply the connectors in order.

        Args:
            feature (Tensor): Input of the first connector, e.g.
                ``[N, C, T, H, W]``.
            target_shape (Sequence[int | None], optional): Passed to the
                connectors that accept it (see :class:`ResizeConnector`).

        Returns:
            Tensor: Output of the last connector.
        """
        for connector, takes in zip(self.connectors,
                                    self._takes_target_shape):
            if takes:
                feature = connector(feature, target_shape=target_shape)
            else:
                feature = connector(feature)
        return feature
