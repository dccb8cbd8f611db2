"""Small shape checks shared by the distillation losses.

Every check raises a ``ValueError`` that reads "<Loss>: expected X, but got
Y; <what to do>" and names both shapes, so a config mistake (a student and a
teacher feature of different size, a head with another class count) is
explained where it happens instead of deep inside a broadcast.
"""
from typing import Sequence

import torch


def shape_str(shape: Sequence[int]) -> str:
    """Format a shape as ``(2, 3, 4)``."""
    return '(' + ', '.join(str(int(s)) for s in shape) + ')'


def check_ndim(owner: str, name: str, x: torch.Tensor,
               allowed: Sequence[int], layout: str) -> None:
    """Raise ValueError unless ``x.dim()`` is one of ``allowed``.

    Args:
        owner (str): The loss class name, used as the message prefix.
        name (str): The argument name, e.g. ``'feat_S'``.
        x (torch.Tensor): The tensor to check.
        allowed (Sequence[int]): The accepted numbers of dimensions.
        layout (str): A human description of the accepted layouts, e.g.
            ``'(N, C, H, W) or (N, C, T, H, W)'``.
    """
    if x.dim() not in allowed:
        raise ValueError(
            f'{owner}: expected {name} of shape {layout}, but got '
            f'{shape_str(x.shape)} ({x.dim()} dims).')


def check_same_shape(owner: str, name_a: str, a: torch.Tensor, name_b: str,
                     b: torch.Tensor, hint: str) -> None:
    """Raise ValueError unless ``a`` and ``b`` have the same shape.

    Args:
        owner (str): The loss class name, used as the message prefix.
        name_a (str): The name of the reference argument.
        a (torch.Tensor): The reference tensor (its shape is "expected").
        name_b (str): The name of the checked argument.
        b (torch.Tensor): The checked tensor (its shape is "got").
        hint (str): What the user should do to fix it.
    """
    if a.shape != b.shape:
        raise ValueError(
            f'{owner}: expected {name_b} with the same shape as {name_a} '
            f'{shape_str(a.shape)}, but got {shape_str(b.shape)}; {hint}')
