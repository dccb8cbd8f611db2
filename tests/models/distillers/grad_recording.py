"""Which parameters each train step's backward gives a gradient to."""
from typing import Dict, Set

import torch


def record_backward_grads(model, optim) -> Dict[str, Set[str]]:
    """Wrap each optimizer wrapper's ``backward``: after a ``train_step``,
    ``seen[name]`` holds the parameters whose gradient that step's backward
    changed. (A distiller runs every backward before any optimizer steps,
    so the gradients present at step time belong to all steps.)"""
    names = {id(p): n for n, p in model.named_parameters()}
    seen: Dict[str, Set[str]] = {}
    for key in optim.keys():
        wrapper = optim[key]
        original = wrapper.backward

        def backward(loss, *args, _key=key, _orig=original, **kwargs):
            before = {id(p): None if p.grad is None else p.grad.clone()
                      for p in model.parameters()}
            out = _orig(loss, *args, **kwargs)
            seen[_key] = {
                names[id(p)] for p in model.parameters()
                if p.grad is not None and p.grad.abs().sum() > 0 and (
                    before[id(p)] is None
                    or not torch.equal(before[id(p)], p.grad))}
            return out
        wrapper.backward = backward
    return seen
