"""SAGAN-style self-attention over every position of a 2D or 3D map."""
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmkd_video.registry import MODELS


@MODELS.register_module()
class SelfAttentionBlock(BaseModule):
    """Self-attention of SAGAN (Zhang et al., 2019) for 2D or 3D maps.

    With ``P`` positions (``H * W`` or ``T * H * W``)::

        q = W_q x, k = W_k x    # [N, C', P], C' = max(1, C // reduction)
        v = W_v x               # [N, C, P]
        attn = softmax_j(q_i . k_j)          # [N, P, P]
        out_i = sum_j attn_ij v_j            # [N, C, P]
        y = gamma * out + x

    ``gamma`` starts at 0, so the block is the identity at initialization
    and the network learns how much non-local evidence to mix in.

    Args:
        in_channels (int): Channels ``C`` of the input.
        dims (int): 2 for ``[N, C, H, W]`` inputs, 3 for
            ``[N, C, T, H, W]``. Defaults to 2.
        reduction (int): Channel reduction of query and key. Defaults to 8.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None.
    """

    def __init__(self,
                 in_channels: int,
                 dims: int = 2,
                 reduction: int = 8,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if dims not in (2, 3):
            raise ValueError(f'dims expected 2 or 3, but got {dims!r}')
        self.in_channels = in_channels
        self.dims = dims
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        qk_channels = max(1, in_channels // reduction)
        self.query = conv(in_channels, qk_channels, 1)
        self.key = conv(in_channels, qk_channels, 1)
        self.value = conv(in_channels, in_channels, 1)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x: Tensor) -> Tensor:
        """Apply self-attention.

        Args:
            x (Tensor): Input of shape ``[N, C, H, W]`` (dims=2) or
                ``[N, C, T, H, W]`` (dims=3).

        Returns:
            Tensor: Output of the same shape as ``x``.
        """
        if x.dim() != self.dims + 2 or x.shape[1] != self.in_channels:
            raise ValueError(
                f'SelfAttentionBlock expected a {self.dims + 2}D input with '
                f'{self.in_channels} channels, but got {list(x.shape)}')
        # the three 1x1 convs as one matrix product on [N, C, P]: the same
        # arithmetic, without three conv backward passes on a few positions
        # (oneDNN's are slow there: the critic's maps are 2x2x2)
        projections = (self.query, self.key, self.value)
        weight = torch.cat([p.weight.flatten(1) for p in projections])
        bias = torch.cat([p.bias for p in projections])
        qkv = torch.matmul(weight, x.flatten(2)) + bias[:, None]
        q, k, v = qkv.split([p.out_channels for p in projections], dim=1)
        energy = torch.bmm(q.transpose(1, 2), k)  # [N, P, P]
        attn = energy.softmax(dim=-1)  # row i: weights of every j for i
        out = torch.bmm(v, attn.transpose(1, 2))  # [N, C, P]
        return self.gamma * out.view_as(x) + x
