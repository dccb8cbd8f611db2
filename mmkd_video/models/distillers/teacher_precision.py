"""The precision the frozen teacher runs in during mixed-precision training.

Under ``AmpOptimWrapper`` the distiller's forward runs inside the wrapper's
autocast (float16 by default). The teacher needs no gradients, so no loss
scaling protects it, and float16's narrow range (max 65504) is a risk for
its activations; bfloat16 keeps float32's range. So when autocast is on, the
teacher runs under bfloat16 autocast where the device supports it, else
under the autocast already active. Outside AMP nothing changes. The losses
upcast their inputs to float32 themselves (``.float()`` in every loss).
"""
from contextlib import contextmanager
from typing import Iterator

import torch


def bf16_supported(device_type: str) -> bool:
    """Whether bfloat16 autocast is available on ``device_type``."""
    if device_type == 'cuda':
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    return device_type == 'cpu'


@contextmanager
def teacher_autocast(device_type: str) -> Iterator[None]:
    """Run the enclosed teacher forward in bfloat16 if AMP is active.

    Args:
        device_type (str): The device type of the inputs (``'cuda'``,
            ``'cpu'``...).

    Examples:
        >>> with torch.autocast('cpu', dtype=torch.bfloat16):
        ...     with teacher_autocast('cpu'):
        ...         y = teacher(x)  # bfloat16 convolutions
    """
    if not torch.is_autocast_enabled(device_type) \
            or not bf16_supported(device_type):
        yield
        return
    with torch.autocast(device_type=device_type, dtype=torch.bfloat16):
        yield
