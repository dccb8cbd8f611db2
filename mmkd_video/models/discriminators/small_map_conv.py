"""A convolution on a small map of known size, run as one matrix product.

The StructKD critic's late stages see maps of 2x2x2 to 2x4x4 positions
(video class maps are tiny). There a ``k3 p1`` Conv3d spends most of its
taps on zero padding, and this CPU's oneDNN path runs its backward and the
gradient penalty's double backward at 15-50x the forward's cost (measured,
docs/benchmark.md). On such a map the convolution is a linear map from the
``C_in * P_in`` input values to the ``C_out * P_out`` output values, whose
matrix holds the conv's taps:

    M[(o, p), (i, q)] = W[o, i, tap(p, q)]   (0 where q is outside p's window)
    y = x.flatten(1) @ M.T + b

``M = W_flat @ E`` with a fixed 0/1 matrix ``E`` [taps, P_out * P_in] that
places each tap, so the forward, backward and double backward are all dense
matrix products; the result equals ``F.conv{2,3}d`` up to float rounding.
It needs ``C_out * C_in * P_out * P_in`` multiply-adds against the conv's
``C_out * C_in * P_out * taps``: :func:`dense_is_cheaper` takes it where
``P_in <= taps``, i.e. only on maps no larger than the kernel's window.
The conv module keeps its weight (and spectral norm): state dicts and the
official layout are unchanged.

Building ``M`` (a matrix product and a transposing copy) is a fifth of a
small-map stage's cost. A WGAN-GP critic step calls the critic twice with
the same weights (the scores, then the gradient penalty), so inside
:func:`shared_matrices` each conv builds its ``M`` once and both calls use
it, as ``torch.nn.utils.parametrize.cached`` does for the spectral-normed
weight that ``M`` is made of. Outside the scope every call builds its own.
"""
import contextlib
import itertools
import threading
from typing import Dict, Iterator, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


def _prod(values: Sequence[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def conv_output_size(size: Sequence[int], conv: nn.Module) -> Tuple[int, ...]:
    """Trailing output size of ``conv`` (no dilation) on a map of ``size``."""
    return tuple((s + 2 * p - k) // st + 1 for s, k, st, p in zip(
        size, conv.kernel_size, conv.stride, conv.padding))


def dense_is_cheaper(size: Sequence[int], conv: nn.Module) -> bool:
    """Whether the matrix form needs no more multiply-adds than the conv."""
    return _prod(size) <= _prod(conv.kernel_size)


def tap_placement(size: Sequence[int], conv: nn.Module) -> Tensor:
    """The 0/1 matrix ``E`` [taps, P_out * P_in]: ``E[t, p * P_in + q] = 1``
    iff input position ``q`` meets output position ``p`` at tap ``t``."""
    kernel, stride, padding = conv.kernel_size, conv.stride, conv.padding
    out_size = conv_output_size(size, conv)
    outs = list(itertools.product(*(range(s) for s in out_size)))
    ins = list(itertools.product(*(range(s) for s in size)))
    placement = torch.zeros(_prod(kernel), len(outs) * len(ins))
    for p, out_pos in enumerate(outs):
        for q, in_pos in enumerate(ins):
            offset = [i - o * st + pad for i, o, st, pad in zip(
                in_pos, out_pos, stride, padding)]
            if all(0 <= t < k for t, k in zip(offset, kernel)):
                tap = 0
                for t, k in zip(offset, kernel):
                    tap = tap * k + t
                placement[tap, p * len(ins) + q] = 1
    return placement


# the open shared_matrices() scope of this thread:
# (id(conv), id(placement), grad enabled) -> M
_scope = threading.local()


@contextlib.contextmanager
def shared_matrices() -> Iterator[None]:
    """Within, :func:`dense_conv` builds each placement's matrix once and
    reuses it (the weights must not change inside; the matrices, and the
    autograd graph they hold, are dropped on exit). Nested scopes share the
    outermost one."""
    if getattr(_scope, 'matrices', None) is not None:
        yield
        return
    _scope.matrices = {}
    try:
        yield
    finally:
        _scope.matrices = None


def dense_matrix(conv: nn.Module, placement: Tensor, p_out: int) -> Tensor:
    """``M`` [C_out * P_out, C_in * P_in] of ``conv`` on the map that
    ``placement`` was made for (see the module docstring)."""
    matrices: Optional[Dict[Tuple[int, int, bool], Tensor]] = getattr(
        _scope, 'matrices', None)
    # a matrix built under no_grad must not serve a call that needs its graph
    key = (id(conv), id(placement), torch.is_grad_enabled())
    if matrices is not None and key in matrices:
        return matrices[key]
    weight = conv.weight  # [C_out, C_in, *k], through its parametrization
    c_out, c_in = weight.shape[:2]
    p_in = placement.shape[1] // p_out
    matrix = (weight.reshape(c_out * c_in, -1) @ placement.to(weight.dtype))
    matrix = matrix.view(c_out, c_in, p_out, p_in).permute(0, 2, 1, 3)
    matrix = matrix.reshape(c_out * p_out, c_in * p_in)
    if matrices is not None:
        matrices[key] = matrix
    return matrix


def dense_conv(x: Tensor, conv: nn.Module, placement: Tensor,
               out_size: Sequence[int]) -> Tensor:
    """``conv(x)`` as one matrix product (see the module docstring).

    Args:
        x (Tensor): ``[N, C_in, *S]``, ``S`` the size ``placement`` was made
            for.
        conv (nn.Conv2d | nn.Conv3d): Holds the weight (read through its
            parametrization, e.g. spectral norm) and the bias.
        placement (Tensor): :func:`tap_placement` of ``S``.
        out_size (Sequence[int]): :func:`conv_output_size` of ``S``.

    Returns:
        Tensor: ``[N, C_out, *out_size]``.
    """
    p_out = _prod(out_size)
    matrix = dense_matrix(conv, placement, p_out)
    y = F.linear(x.flatten(1), matrix)
    y = y.view(len(x), -1, p_out)
    if conv.bias is not None:
        y = y + conv.bias[:, None]
    return y.view(len(x), -1, *out_size)
