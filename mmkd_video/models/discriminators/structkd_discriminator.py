"""Holistic discriminator of Structured Knowledge Distillation (StructKD)."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor
from torch.nn.utils.parametrizations import spectral_norm

from mmkd_video.registry import MODELS
from .self_attention import SelfAttentionBlock


def _guarded_pad(x: Tensor, kernel: Sequence[int],
                 padding: Sequence[int]) -> Tensor:
    """Zero-pad the trailing dims so that every one fits the kernel.

    Each dim gets ``padding`` on both sides; a dim still shorter than its
    kernel (e.g. a 1x1 map before a 4x4 conv) gets the missing positions
    split between both sides, so the conv outputs at least one position
    instead of failing.

    Args:
        x (Tensor): Input ``[N, C, *S]`` with ``len(S) == len(kernel)``.
        kernel (Sequence[int]): Kernel size per trailing dim.
        padding (Sequence[int]): Regular padding per trailing dim.

    Returns:
        Tensor: Padded input ``[N, C, *S']``.
    """
    pads: List[int] = []
    # F.pad lists the last dim first.
    for size, k, p in reversed(list(zip(x.shape[2:], kernel, padding))):
        extra = max(0, k - (size + 2 * p))
        pads += [p + extra // 2, p + extra - extra // 2]
    if any(pads):
        x = F.pad(x, pads)
    return x


@MODELS.register_module()
class StructKDDiscriminator(BaseModule):
    """SAGAN-style discriminator of StructKD's holistic (adversarial) loss.

    Scores a class score map (teacher or student logits) with one number
    per sample, for a Wasserstein loss with gradient penalty::

        [input BN] -> (cat resized clip) ->
        4 x [SN-Conv k4 s2 -> LeakyReLU(0.1)]  channels b, 2b, 4b, 8b
            with a self-attention block after the 3rd and the 4th
        -> Conv k4 to 1 channel -> mean over the remaining positions

    ``dims=3`` scores ``[N, K, T, H, W]`` maps with Conv3d kernels
    ``(temporal_kernel_size, 4, 4)`` and strides ``(temporal_stride, 2,
    2)``, and attends over all ``T * H * W`` positions.

    Small maps: each conv uses padding ``(k - 1) // 2`` (1 for k=4, as in
    the official code) and the last one none; a dim still shorter than the
    kernel is zero-padded up to it, so any size down to 1 works (an 8x8 map
    goes 4, 2, 1, 1; T=2 goes 1, 1, 1, 1) and the weights do not depend on
    the input size. The official final conv turns a 4x4 map into one
    score; on larger maps it outputs several and this module averages them
    (for a Wasserstein critic that equals averaging the loss over them).

    Args:
        in_channels (int): Channels ``K`` of the score map (classes).
        base_channels (int): Channels of the first conv; the others double.
            Defaults to 64 (official 64, 128, 256, 512).
        dims (int): 2 for ``[N, K, H, W]`` maps, 3 for ``[N, K, T, H, W]``.
            Defaults to 2.
        temporal_kernel_size (int): Temporal kernel of every conv when
            ``dims=3``. Defaults to 4.
        temporal_stride (int): Temporal stride of the four downsampling
            convs when ``dims=3``. Defaults to 2.
        with_input_norm (bool): BatchNorm over the ``K`` raw logits first,
            as the official master (TPAMI) branch. Defaults to True.
        with_image (bool): Concatenate the clip, resized to the score map
            size, to the (normalized) score on channels; the official CVPR
            branch does this with softmax scores (apply the softmax before
            calling). :meth:`forward` then requires ``image``. Defaults to
            False.
        image_channels (int): Channels of the image when ``with_image``;
            the first conv then takes ``K + image_channels``. Defaults to 3.
        last_spectral_norm (bool): Spectral norm on the final conv too. The
            official (SAGAN) code has it only on the four downsampling
            convs. Defaults to False.
        negative_slope (float): LeakyReLU slope. Defaults to 0.1.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None (PyTorch's default init). Note that an init
            applied to ``module.weight`` does not reach spectral-normed
            convs, whose weight is computed from
            ``parametrizations.weight.original``.
    """

    def __init__(self,
                 in_channels: int,
                 base_channels: int = 64,
                 dims: int = 2,
                 temporal_kernel_size: int = 4,
                 temporal_stride: int = 2,
                 with_input_norm: bool = True,
                 with_image: bool = False,
                 image_channels: int = 3,
                 last_spectral_norm: bool = False,
                 negative_slope: float = 0.1,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if dims not in (2, 3):
            raise ValueError(f'dims expected 2 or 3, but got {dims!r}')
        for name, value in (('in_channels', in_channels),
                            ('base_channels', base_channels),
                            ('temporal_kernel_size', temporal_kernel_size),
                            ('temporal_stride', temporal_stride),
                            ('image_channels', image_channels)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f'{name} expected a positive int, but got '
                                 f'{value!r}')
        self.in_channels = in_channels
        self.dims = dims
        self.with_image = with_image
        self.image_channels = image_channels

        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        if dims == 2:
            self.kernel: Tuple[int, ...] = (4, 4)
            self.stride: Tuple[int, ...] = (2, 2)
        else:
            self.kernel = (temporal_kernel_size, 4, 4)
            self.stride = (temporal_stride, 2, 2)
        self.padding = tuple((k - 1) // 2 for k in self.kernel)

        if with_input_norm:
            bn = nn.BatchNorm2d if dims == 2 else nn.BatchNorm3d
            self.input_norm = bn(in_channels)
        else:
            self.input_norm = nn.Identity()

        channels = [in_channels + (image_channels if with_image else 0)]
        channels += [base_channels * 2**i for i in range(4)]
        # Padding is applied by _guarded_pad, hence padding=0 here.
        self.convs = nn.ModuleList(
            spectral_norm(conv(c_in, c_out, self.kernel, self.stride))
            for c_in, c_out in zip(channels[:-1], channels[1:]))
        # Self-attention after the 3rd and 4th convs only.
        self.attentions = nn.ModuleList([
            nn.Identity(),
            nn.Identity(),
            SelfAttentionBlock(channels[3], dims=dims),
            SelfAttentionBlock(channels[4], dims=dims),
        ])
        self.act = nn.LeakyReLU(negative_slope)
        last = conv(channels[-1], 1, self.kernel)
        self.last_conv = spectral_norm(last) if last_spectral_norm else last

    def _check_inputs(self, score: Tensor, image: Optional[Tensor]) -> None:
        layout = '[N, K, H, W]' if self.dims == 2 else '[N, K, T, H, W]'
        if score.dim() != self.dims + 2 or score.shape[1] != self.in_channels:
            raise ValueError(
                f'StructKDDiscriminator expected a score map {layout} with '
                f'K={self.in_channels}, but got {list(score.shape)}')
        if self.with_image and image is None:
            raise ValueError('StructKDDiscriminator was built with '
                             'with_image=True, but got no image')
        if not self.with_image and image is not None:
            raise ValueError('StructKDDiscriminator was built with '
                             'with_image=False, but got an image')
        if image is not None and (image.dim() != self.dims + 2
                                  or image.shape[1] != self.image_channels
                                  or image.shape[0] != score.shape[0]):
            raise ValueError(
                f'StructKDDiscriminator expected an image of '
                f'{self.dims + 2} dims with N={score.shape[0]} and '
                f'{self.image_channels} channels, but got '
                f'{list(image.shape)}')

    def forward(self, score: Tensor, image: Optional[Tensor] = None) -> Tensor:
        """Score a map.

        Args:
            score (Tensor): Class score map ``[N, K, H, W]`` (dims=2) or
                ``[N, K, T, H, W]`` (dims=3).
            image (Tensor, optional): Clip or frame ``[N, 3, (T_i,) H_i,
                W_i]``; required iff ``with_image``. It is resized
                (bi/trilinear) to the score map size.

        Returns:
            Tensor: One score per sample, shape ``[N]``.
        """
        self._check_inputs(score, image)
        x = self.input_norm(score)  # [N, K, (T,) H, W]
        if image is not None:
            mode = 'bilinear' if self.dims == 2 else 'trilinear'
            image = F.interpolate(
                image.to(x.dtype), size=x.shape[2:], mode=mode,
                align_corners=False)
            x = torch.cat([x, image], dim=1)  # [N, K + 3, (T,) H, W]
        for conv, attention in zip(self.convs, self.attentions):
            x = conv(_guarded_pad(x, self.kernel, self.padding))
            x = attention(self.act(x))  # [N, b * 2**i, ...], dims ~halved
        x = self.last_conv(_guarded_pad(x, self.kernel, (0, ) * self.dims))
        return x.flatten(1).mean(dim=1)  # [N]
