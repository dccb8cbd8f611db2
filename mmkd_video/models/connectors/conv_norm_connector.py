"""1x1(x1) conv + norm adapter for a channel mismatch between features."""
from typing import Optional, Union

from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from mmkd_video.registry import MODELS

# Norm types of mmcv that only accept one input rank, by spatial dims.
_NORM_DIMS = {
    'BN1d': 1, 'IN1d': 1,
    'BN': 2, 'BN2d': 2, 'IN': 2, 'IN2d': 2,
    'BN3d': 3, 'IN3d': 3,
}


@MODELS.register_module()
class ConvNormConnector(BaseModule):
    """Project a feature to another channel count: conv 1x1(x1) -> norm.

    The usual FitNet-style adapter applied to the student (or teacher)
    feature before a feature loss when the channel counts differ. Built on
    mmcv's :class:`~mmcv.cnn.ConvModule` (conv without bias when a norm
    follows, Kaiming init for the conv, ones/zeros for the norm).

    Args:
        in_channels (int): Channels of the input feature.
        out_channels (int): Channels of the output (the other model's).
        dims (int): 3 for ``[N, C, T, H, W]`` features (Conv3d), 2 for
            ``[N, C, H, W]`` (Conv2d). Defaults to 3.
        norm_cfg (dict, optional): mmcv norm config; None for no norm. Must
            match ``dims`` (``BN3d`` for 3, ``BN``/``BN2d`` for 2).
            Defaults to ``dict(type='BN3d')``.
        act_cfg (dict, optional): mmcv activation config, e.g.
            ``dict(type='ReLU')``; None (default) for a linear adapter.
        init_cfg (dict | list[dict], optional): Initialization config
            overriding ConvModule's own. Defaults to None.

    Examples:
        >>> connector = ConvNormConnector(256, 1024)
        >>> connector(torch.rand(2, 256, 8, 7, 7)).shape
        torch.Size([2, 1024, 8, 7, 7])
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 dims: int = 3,
                 norm_cfg: Optional[dict] = dict(type='BN3d'),
                 act_cfg: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if dims not in (2, 3):
            raise ValueError(f'dims expected 2 or 3, but got {dims!r}')
        norm_type = None if norm_cfg is None else norm_cfg.get('type')
        if isinstance(norm_type, str) and \
                _NORM_DIMS.get(norm_type, dims) != dims:
            valid = sorted(k for k, v in _NORM_DIMS.items() if v == dims)
            raise ValueError(
                f'norm_cfg type expected one for {dims}D features '
                f'(e.g. {valid}, or a rank-agnostic one like GN), but got '
                f'{norm_type!r}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.dims = dims
        self.conv_module = ConvModule(
            in_channels,
            out_channels,
            kernel_size=1,
            conv_cfg=dict(type=f'Conv{dims}d'),
            norm_cfg=norm_cfg,
            act_cfg=act_cfg)

    def forward(self, feature: Tensor) -> Tensor:
        """Project the channels.

        Args:
            feature (Tensor): ``[N, C_in, T, H, W]`` (dims=3) or
                ``[N, C_in, H, W]`` (dims=2).

        Returns:
            Tensor: ``[N, C_out, T, H, W]`` or ``[N, C_out, H, W]``.
        """
        if feature.dim() != self.dims + 2 or \
                feature.shape[1] != self.in_channels:
            raise ValueError(
                f'ConvNormConnector expected a {self.dims + 2}D feature with '
                f'{self.in_channels} channels, but got '
                f'{list(feature.shape)}')
        return self.conv_module(feature)  # [N, C_out, (T,) H, W]
