"""A random stream of a distillation method's own (paired runs).

Arms of one paired experiment share the seed, so they share the student's
initialisation, the data order, the augmentations and the dropout masks,
all drawn from torch's global generator (and the dataloader's). A method
term that drew its own noise from that global generator too (GenKD's CVAE
sampling, StructKD's interpolation alpha) would shift every later global
draw, so adding the term would also change the dropout masks of the arm.
A :class:`MethodGenerator` keeps such draws on a ``torch.Generator`` of its
own, so adding or removing a term moves no other stream.

Users: ``GenerativeAttentionHead`` (posterior and prior noise, one generator
per head: the student's and the teacher's draw independently) and
``HolisticDistillLoss`` (the WGAN-GP interpolation alpha). What stays on the
global stream is the student's own randomness, the same in every arm:
dropout in its head and, for AVA detectors, mmaction2's RoI sampler (the
teacher runs on the RoIs the student sampled). Nothing else in our models
draws random numbers in a training step.

Seeding. The generator is seeded when the module is built, from a digest of
torch's global CPU generator state at that moment (read, not advanced) and
a tag. MMEngine's Runner seeds the global generator (``randomness=dict(
seed=...)``, ``torch.manual_seed``) before it builds the model, so the seed
is a function of the run's seed and of the module's place in the build
(the modules built before it consume the global stream): the same config
and seed give the same stream, a student's and a teacher's head get
different streams (the teacher's parameters are initialised in between),
and terms added to a distiller (built after its student and teacher) leave
the streams of the student's and teacher's modules unchanged.

Resume. The state is not in the module's state dict (checkpoints stay
loadable by plain models and old checkpoints stay loadable). The project's
:class:`RandomStateHook` saves every generator's state by module name, per
rank, with the global states and restores them on ``--resume``
(:func:`method_generator_states`, :func:`set_method_generator_states`).

Draws are made on the CPU and moved to the tensor's device, so a stream is
the same on CPU and GPU.
"""
import hashlib
from typing import Dict, Sequence

import torch
import torch.nn as nn
from torch import Tensor


class MethodGenerator(nn.Module):
    """A module holding one ``torch.Generator`` (no parameters, no buffers).

    Being a module, it is found by name in ``model.named_modules()``
    (``'student.neck.head.noise_generator'``), which is how the random
    state hook saves and restores it.

    Args:
        tag (str): Distinguishes generators built with no global draw in
            between; use the owner's class name.

    Examples:
        >>> _ = torch.manual_seed(0)
        >>> gen = MethodGenerator('Example')
        >>> before = torch.get_rng_state()
        >>> noise = gen.randn_like(torch.zeros(2, 3))
        >>> torch.equal(before, torch.get_rng_state())  # global untouched
        True
    """

    def __init__(self, tag: str) -> None:
        super().__init__()
        digest = hashlib.blake2b(torch.get_rng_state().numpy().tobytes(),
                                 digest_size=8, person=b'mmkd-rng')
        digest.update(tag.encode())
        self.tag = tag
        self.generator = torch.Generator()  # CPU: same stream on any device
        self.generator.manual_seed(int.from_bytes(digest.digest(), 'little')
                                   & ((1 << 63) - 1))

    def randn_like(self, like: Tensor) -> Tensor:
        """Standard normal noise of ``like``'s shape, dtype and device."""
        noise = torch.randn(like.shape, generator=self.generator,
                            dtype=like.dtype)
        return noise.to(like.device)

    def rand(self, shape: Sequence[int], like: Tensor) -> Tensor:
        """U(0, 1) samples of ``shape`` with ``like``'s dtype and device."""
        sample = torch.rand(tuple(shape), generator=self.generator,
                            dtype=like.dtype)
        return sample.to(like.device)

    def get_state(self) -> Tensor:
        return self.generator.get_state()

    def set_state(self, state: Tensor) -> None:
        self.generator.set_state(state.cpu())

    def extra_repr(self) -> str:
        return f'tag={self.tag!r}'


def method_generator_states(model: nn.Module) -> Dict[str, Tensor]:
    """``module name -> generator state`` of every :class:`MethodGenerator`
    in ``model``."""
    return {name: m.get_state() for name, m in model.named_modules()
            if isinstance(m, MethodGenerator)}


def set_method_generator_states(model: nn.Module,
                                states: Dict[str, Tensor]) -> list:
    """Restore states saved by :func:`method_generator_states`.

    Returns:
        list[str]: Generators of ``model`` that ``states`` lacks (they keep
        their current state).
    """
    missing = []
    for name, module in model.named_modules():
        if isinstance(module, MethodGenerator):
            if name in states:
                module.set_state(states[name])
            else:
                missing.append(name)
    return missing
