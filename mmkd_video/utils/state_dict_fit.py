"""One error for a checkpoint that does not fit its model."""
from typing import Dict, List, Optional

import torch
import torch.nn as nn


def check_state_dict_fits(module: nn.Module, state: Dict[str, torch.Tensor],
                          path: str, role: str,
                          prefix: Optional[str] = None,
                          strict: bool = True) -> List[str]:
    """Compare a checkpoint's state dict with ``module`` before loading.

    ``load_state_dict`` prints one line per size mismatch (101 for a
    teacher of another depth) and names neither the file nor the role.
    This raises one error instead: the first mismatching keys with both
    shapes, then the counts.

    Args:
        module (nn.Module): The model the weights are for.
        state (dict): The checkpoint's state dict (prefix already removed).
        path (str): The checkpoint file, for the message.
        role (str): ``'teacher'``, ``'student'``..., for the message.
        prefix (str, optional): The key prefix that was selected.
        strict (bool): Whether keys of ``module`` missing from ``state``
            are an error. Defaults to True.

    Returns:
        list[str]: Keys of ``module`` that ``state`` lacks (``strict=False``).

    Raises:
        ValueError: Shapes differ, ``state`` has keys ``module`` lacks, or
            (strict) ``module`` has keys ``state`` lacks.
    """
    own = module.state_dict()
    shapes = [f'{k}: checkpoint {tuple(v.shape)} vs model '
              f'{tuple(own[k].shape)}' for k, v in state.items()
              if k in own and hasattr(v, 'shape') and
              tuple(v.shape) != tuple(own[k].shape)]
    unexpected = [k for k in state if k not in own]
    missing = [k for k in own if k not in state]
    if shapes or unexpected or (strict and missing):
        parts = []
        if shapes:
            parts.append(f'{len(shapes)} shape mismatches (first: '
                         f'{"; ".join(shapes[:3])})')
        if unexpected:
            parts.append(f'{len(unexpected)} keys the model lacks (first: '
                         f'{unexpected[:3]})')
        if strict and missing:
            parts.append(f'{len(missing)} model keys missing from it '
                         f'(first: {missing[:3]})')
        where = f' under prefix {prefix!r}' if prefix else ''
        raise ValueError(
            f'the {role} checkpoint {path!r}{where} does not fit the {role} '
            f'model: {", ".join(parts)}. Is it the checkpoint of this '
            f'{role} config (architecture, width, number of classes)?')
    return missing
