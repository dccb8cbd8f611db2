"""Small blocks of GenKD's attention head: GroupNorm sizing, the CVAE MLP,
argument checks, and the attention-spread measure."""
import math
from typing import Sequence, Tuple, Union

import torch.nn as nn
from torch import Tensor


def to_pair(value: Union[int, Sequence[int]], name: str) -> Tuple[int, int]:
    """Turn an int or a 2-sequence of positive ints into a tuple."""
    if isinstance(value, int):
        value = (value, value)
    value = tuple(value)
    if len(value) != 2 or not all(isinstance(v, int) and v > 0
                                  for v in value):
        raise ValueError(f'{name} expected a positive int or a pair of '
                         f'positive ints, but got {value}')
    return value


def make_group_norm(num_groups: int, channels: int,
                min_group_channels: int = 4) -> nn.GroupNorm:
    """GroupNorm with at most ``num_groups`` groups of at least
    ``min_group_channels`` channels each (fewer when ``channels`` is
    smaller); the group count divides ``channels``.

    At the official widths (512 and 1024 with 32 groups, i.e. 16 and 32
    channels a group) and the demo's (128 and 256: 4 and 8) this is
    ``GroupNorm(gcd(num_groups, channels))``, the official layout. Below
    ``num_groups * min_group_channels`` channels, plain ``gcd`` gives
    smaller groups, down to one channel a group at 32 channels and below
    (16 channels -> 16 groups): the norm then z-scores each channel's
    temporal profile on its own and erases its magnitude, and the attention
    cannot see a class coded in which channels are active (measured:
    ``tests/models/heads/test_attention_input_dependence.py``). So the
    count drops to the largest divisor of ``channels`` that leaves
    ``min_group_channels`` a group (16 -> 4 groups of 4, 24 -> 6 of 4,
    6 -> 1 of 6).
    """
    groups = math.gcd(num_groups, channels)
    while groups > 1 and channels // groups < min_group_channels:
        groups = next(g for g in range(groups - 1, 0, -1)
                      if channels % g == 0)
    return nn.GroupNorm(groups, channels)


def attention_spread(att: Tensor) -> Tensor:
    """How much GenKD's attention changes from clip to clip.

    ``mean over (c, t) of std over n of A[n, c, t]``: the standard deviation
    across clips of each channel x time cell, averaged over cells. It is 0
    for an attention that ignores its input (a fixed channel x time mask)
    and at most 0.5 (cells at 0 in half the clips, at 1 in the others).
    Note that the channel mean of ``A`` per time step hides it: the
    GroupNorm before the shared ``Linear(L -> T)`` fixes the channel-mean
    level, so that mean is nearly the same for every clip even when single
    channels change a lot.

    Args:
        att (Tensor): Attention of several clips, ``[N, C, T]``, N >= 2.

    Returns:
        Tensor: A scalar (unbiased std, like ``Tensor.std``).

    Examples:
        >>> attention_spread(torch.full((4, 8, 2), 0.3))
        tensor(0.)
    """
    if att.dim() != 3 or att.shape[0] < 2:
        raise ValueError('attention_spread expected the attention of at '
                         'least 2 clips, [N >= 2, C, T], but got '
                         f'{list(att.shape)}')
    return att.detach().float().std(dim=0).mean()


def make_mlp(in_features: int, hidden: int, out_features: int) -> nn.Sequential:
    """Three linear layers with ReLU between them and none at the end."""
    return nn.Sequential(
        nn.Linear(in_features, hidden), nn.ReLU(inplace=True),
        nn.Linear(hidden, hidden), nn.ReLU(inplace=True),
        nn.Linear(hidden, out_features))
