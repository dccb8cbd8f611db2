"""Per-loss weight schedules: linear warm-up ramp, start and stop epochs."""
from typing import Optional


class LossWeightSchedule:
    """A multiplier in [0, 1] for one distillation loss over training.

    ``factor = 0`` before ``start`` and from ``stop`` on; in between a linear
    warm-up ``min(1, (t - start + one_based) / warmup)`` (``1`` if
    ``warmup == 0``). ``t`` is the 0-based epoch (``by_epoch=True``) or
    iteration, read from the runner's message hub, so a resumed run
    continues the ramp where it stopped.

    GenKD's reconstruction weight, official ``0.5 * min(epoch, 20) / 20``
    with ``epoch`` counted **from 1** (1/20 of the weight in the first
    epoch, the full weight from epoch 20 on), is ``loss_weight=0.5`` with
    ``dict(warmup=20, by_epoch=True, one_based=True)``: MMEngine counts
    epochs from 0, and without ``one_based`` the first epoch would get 0.

    Args:
        warmup (int): Length of the linear ramp. Defaults to 0.
        start (int): First epoch/iter where the loss is active. Defaults to 0.
        stop (int, optional): First epoch/iter where the loss is off again.
        by_epoch (bool): Count epochs (True) or iterations. Defaults to True.
        one_based (bool): Count the ramp's epochs/iterations from 1, as a
            loop that numbers them from 1 does: the first active one gets
            ``1 / warmup`` instead of 0. Defaults to False.
    """

    def __init__(self,
                 warmup: int = 0,
                 start: int = 0,
                 stop: Optional[int] = None,
                 by_epoch: bool = True,
                 one_based: bool = False) -> None:
        if warmup < 0 or start < 0 or (stop is not None and stop <= start):
            raise ValueError(
                f'expected warmup >= 0, start >= 0 and stop > start, but got '
                f'warmup={warmup}, start={start}, stop={stop}')
        self.warmup = warmup
        self.start = start
        self.stop = stop
        self.by_epoch = by_epoch
        self.one_based = bool(one_based)

    def __call__(self, epoch: int, iteration: int) -> float:
        t = epoch if self.by_epoch else iteration
        if t < self.start or (self.stop is not None and t >= self.stop):
            return 0.0
        if self.warmup == 0:
            return 1.0
        return min(1.0, (t - self.start + self.one_based) / self.warmup)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(warmup={self.warmup}, '
                f'start={self.start}, stop={self.stop}, '
                f'by_epoch={self.by_epoch}, one_based={self.one_based})')
