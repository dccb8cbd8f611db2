"""Carry every rank's random number generators through checkpoints."""
import random
from typing import Optional

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_rank, get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmkd_video.models.method_generator import (method_generator_states,
                                                set_method_generator_states)
from mmkd_video.registry import HOOKS


def get_random_states() -> dict:
    """The states of torch (CPU and CUDA), numpy and ``random``, as tensors
    and Python values (numpy's key array as an int64 tensor), so a
    checkpoint holding them loads weights-only without numpy globals."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    numpy_state = (name, torch.from_numpy(keys.astype(np.int64)), int(pos),
                   int(has_gauss), float(cached))
    state = dict(torch=torch.get_rng_state(), numpy=numpy_state,
                 python=random.getstate())
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_random_states(state: dict) -> None:
    torch.set_rng_state(state['torch'])
    name, keys, *rest = state['numpy']
    keys = keys.numpy() if isinstance(keys, torch.Tensor) else keys
    np.random.set_state((name, np.asarray(keys, dtype=np.uint32), *rest))
    random.setstate(state['python'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Resume training with the random streams it had, on every rank.

    MMEngine checkpoints keep the seed but not the generators' states, so a
    resumed run draws different dropout masks, CVAE noise and augmentations
    from the uninterrupted one. This hook:

    * at the end of each training epoch gathers every rank's torch (CPU and
      CUDA), numpy and ``random`` states and the states of the model's
      method generators (:class:`MethodGenerator`, by module name: GenKD's
      CVAE noise, StructKD's alpha; one ``all_gather_object`` per epoch)
      and writes them into the checkpoint saved right after
      (``checkpoint['random_states']``, one entry per rank);
    * when resuming, restores this rank's entry at the start of the next
      training epoch; without resuming, it restores the state it captured,
      so validation between epochs never shifts the training streams and an
      interrupted-and-resumed run draws exactly what an uninterrupted run
      draws.

    Exact for checkpoints at epoch ends (CheckpointHook ``by_epoch=True``,
    as in our configs). Dataloader workers reseed themselves from the seed
    at every epoch unless ``persistent_workers=True``; persistent workers
    restart from their seed after a resume, so their augmentations then
    differ from an uninterrupted run.

    Example:
        >>> default_hooks = dict(random_state=dict(type='RandomStateHook'))
    """

    # Before CheckpointHook (VERY_LOW) in after_train_epoch.
    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._states: Optional[list] = None

    def after_train_epoch(self, runner) -> None:
        state = get_random_states()
        state['method'] = method_generator_states(_unwrap(runner.model))
        self._states = all_gather_object(state)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self._states is not None:
            checkpoint['random_states'] = self._states

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not runner._resume:  # load_from (fine-tuning): keep the seed
            return
        states = checkpoint.get('random_states')
        if states is None:
            print_log('the checkpoint has no random_states (saved without '
                      'RandomStateHook): the resumed run continues from the '
                      'seed, not from the saved random streams',
                      logger='current', level=30)
        elif len(states) != get_world_size():
            print_log(f'the checkpoint holds the random states of '
                      f'{len(states)} ranks, this run has {get_world_size()}:'
                      ' they are not restored', logger='current', level=30)
            states = None
        self._states = states

    def before_train_epoch(self, runner) -> None:
        if self._states is not None:
            state = self._states[get_rank()]
            set_random_states(state)
            missing = set_method_generator_states(_unwrap(runner.model),
                                                  state.get('method', {}))
            if missing:
                print_log(f'the saved random states lack the method '
                          f'generators {missing} (checkpoint of another '
                          'model or of an older version): they continue '
                          'from their seed', logger='current', level=30)


def _unwrap(model):
    return model.module if is_model_wrapper(model) else model
