"""Reseed the global random streams when training starts, for paired runs."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.runner import set_random_seed

from mmkd_video.registry import HOOKS


@HOOKS.register_module()
class TrainStartSeedHook(Hook):
    """Seed torch, numpy and ``random`` again right before the first
    training iteration.

    MMEngine seeds them when the Runner is built, before the model; building
    a distiller (teacher, connectors, critic) draws more numbers than
    building the student alone, so two arms of a paired comparison would
    start training at different points of the global stream and draw
    different dropout masks, even from the same saved student
    initialisation. Reseeding after the model is built, initialised and
    loaded puts every arm at the same point. Method randomness (GenKD's CVAE
    noise, StructKD's interpolation) has its own generators
    (:class:`MethodGenerator`) and is not touched.

    Only on a fresh start (iteration 0): a resumed run keeps the streams it
    restored (:class:`RandomStateHook`).

    Args:
        seed (int, optional): The seed; defaults to the Runner's
            (``randomness.seed``), plus the rank when ``diff_rank_seed``.
    """

    priority = 'VERY_HIGH'

    def __init__(self, seed: Optional[int] = None) -> None:
        self.seed = seed

    def before_train(self, runner) -> None:
        if runner.iter != 0:
            return
        # runner.seed is never None: the Runner draws one when unset
        seed = runner.seed if self.seed is None else self.seed
        # MMEngine's own seeding (random, numpy, torch and every CUDA
        # device), as the Runner did at build time; runner.seed already
        # holds the rank offset when diff_rank_seed is set
        set_random_seed(seed)
