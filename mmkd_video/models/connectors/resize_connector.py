"""Temporal/spatial resize of a feature to another model's feature size."""
import math
from typing import Optional, Sequence, Tuple, Union

import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmkd_video.registry import MODELS

# Interpolation modes of F.interpolate usable per number of resized dims.
_MODES = {
    2: ('nearest', 'nearest-exact', 'area', 'bilinear', 'bicubic'),
    3: ('nearest', 'nearest-exact', 'area', 'trilinear'),
}
_LINEAR_MODES = ('bilinear', 'bicubic', 'trilinear')

SizeLike = Union[int, Sequence[Optional[int]]]


@MODELS.register_module()
class ResizeConnector(BaseModule):
    """Resize a feature in time and/or space with ``F.interpolate``.

    The output size is, in order of precedence:

    1. ``target_shape`` given to :meth:`forward` (e.g. the teacher
       feature's shape, when the distiller knows it only at run time);
    2. ``size`` given at construction;
    3. ``floor(input_size * scale_factor)`` given at construction.

    In ``target_shape`` and ``size`` a None entry keeps that dim unchanged
    (``size=(None, 7, 7)`` resizes space only). When the output size equals
    the input size the feature is returned as is. Without ``size``,
    ``scale_factor`` and ``target_shape`` :meth:`forward` raises.

    Args:
        size (int | Sequence[int | None], optional): Output ``(T, H, W)``
            (dims=3) or ``(H, W)`` (dims=2); an int applies to every dim.
        scale_factor (float | Sequence[float], optional): Multiplier of the
            input size per dim. Mutually exclusive with ``size``.
        dims (int): 3 for ``[N, C, T, H, W]`` features, 2 for
            ``[N, C, H, W]``. Defaults to 3.
        mode (str): ``F.interpolate`` mode valid for ``dims``: one of
            'nearest', 'nearest-exact', 'area', 'trilinear' (dims=3), or
            'bilinear', 'bicubic' (dims=2). Defaults to 'trilinear'.
        align_corners (bool, optional): As in ``F.interpolate``; only for
            the linear modes. Defaults to None (i.e. False for those).
        init_cfg (dict | list[dict], optional): Unused (no parameters);
            kept for the BaseModule interface. Defaults to None.

    Examples:
        >>> resize = ResizeConnector(size=(None, 7, 7))
        >>> resize(torch.rand(2, 64, 8, 14, 14)).shape
        torch.Size([2, 64, 8, 7, 7])
        >>> resize(torch.rand(2, 64, 8, 14, 14),
        ...        target_shape=(2, 64, 4, 7, 7)).shape
        torch.Size([2, 64, 4, 7, 7])
    """

    def __init__(self,
                 size: Optional[SizeLike] = None,
                 scale_factor: Optional[Union[float, Sequence[float]]] = None,
                 dims: int = 3,
                 mode: str = 'trilinear',
                 align_corners: Optional[bool] = None,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if dims not in _MODES:
            raise ValueError(f'dims expected 2 or 3, but got {dims!r}')
        if mode not in _MODES[dims]:
            raise ValueError(f'mode expected one of {_MODES[dims]} for '
                             f'dims={dims}, but got {mode!r}')
        if align_corners is not None and mode not in _LINEAR_MODES:
            raise ValueError(f'align_corners expected None for mode '
                             f'{mode!r} (only {_LINEAR_MODES} use it), but '
                             f'got {align_corners!r}')
        if size is not None and scale_factor is not None:
            raise ValueError('expected only one of size and scale_factor, '
                             'but got both')
        self.dims = dims
        self.mode = mode
        self.align_corners = align_corners
        self.size = None if size is None else self._as_size(size, 'size')
        if scale_factor is None:
            self.scale_factor = None
        else:
            if isinstance(scale_factor, (int, float)):
                scale_factor = (scale_factor, ) * dims
            scale_factor = tuple(float(s) for s in scale_factor)
            if len(scale_factor) != dims or min(scale_factor) <= 0:
                raise ValueError(
                    f'scale_factor expected a positive number or {dims} of '
                    f'them, but got {scale_factor}')
            self.scale_factor = scale_factor

    def _as_size(self, size: SizeLike,
                 name: str) -> Tuple[Optional[int], ...]:
        """Validate a size with ``dims`` entries (int or None)."""
        if isinstance(size, int):
            size = (size, ) * self.dims
        size = tuple(size)
        if len(size) != self.dims or not all(
                s is None or (isinstance(s, int) and s > 0) for s in size):
            raise ValueError(
                f'{name} expected {self.dims} positive ints or None, but got '
                f'{size}')
        return size

    def output_size(self,
                    input_size: Sequence[int],
                    target_shape: Optional[Sequence[Optional[int]]] = None
                    ) -> Tuple[int, ...]:
        """The resized ``(T, H, W)`` or ``(H, W)`` for an input size.

        Args:
            input_size (Sequence[int]): Trailing sizes of the input.
            target_shape (Sequence[int | None], optional): See
                :meth:`forward`.

        Returns:
            tuple[int]: Output sizes, ``dims`` of them.
        """
        if target_shape is not None:
            target_shape = tuple(target_shape)
            if len(target_shape) == self.dims + 2:
                target_shape = target_shape[2:]  # a full [N, C, ...] shape
            size = self._as_size(target_shape, 'target_shape')
        elif self.size is not None:
            size = self.size
        elif self.scale_factor is not None:
            size = tuple(
                max(1, math.floor(s * f))
                for s, f in zip(input_size, self.scale_factor))
        else:
            raise ValueError('ResizeConnector expected a target_shape in '
                             'forward because it was built without size '
                             'and scale_factor, but got None')
        return tuple(int(s) if t is None else t
                     for s, t in zip(input_size, size))

    def forward(self,
                feature: Tensor,
                target_shape: Optional[Sequence[Optional[int]]] = None
                ) -> Tensor:
        """Resize a feature.

        Args:
            feature (Tensor): ``[N, C, T, H, W]`` (dims=3) or
                ``[N, C, H, W]`` (dims=2).
            target_shape (Sequence[int | None], optional): Output size
                overriding ``size``/``scale_factor``: either the ``dims``
                trailing sizes or a full ``dims + 2`` tensor shape (e.g.
                ``teacher_feature.shape``), whose first two are ignored.

        Returns:
            Tensor: ``[N, C, T', H', W']`` or ``[N, C, H', W']``.
        """
        if feature.dim() != self.dims + 2:
            raise ValueError(
                f'ResizeConnector expected a {self.dims + 2}D feature '
                f'(dims={self.dims}), but got {list(feature.shape)}')
        size = self.output_size(feature.shape[2:], target_shape)
        if size == tuple(feature.shape[2:]):
            return feature
        return F.interpolate(  # [N, C, (T',) H', W']
            feature, size=size, mode=self.mode,
            align_corners=self.align_corners)
