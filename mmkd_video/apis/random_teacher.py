"""Stand a seeded random teacher in for a config's trained one (benchmarks).

Step times and memory do not depend on the weights, so the benchmark and the
cache builder can run a method's config before any teacher is trained. They
only do so when asked (``--random-teacher``), never as a silent fallback for
a missing checkpoint.
"""
from typing import List

import torch
from mmengine.logging import MMLogger

from mmkd_video.models.distillers import build_model_from_spec


def use_random_teacher(cfg, seed: int = 0) -> List[str]:
    """Replace ``cfg.model``'s teacher (and its checkpoints) in place.

    The teacher is built from its config under ``torch.manual_seed(seed)``
    and initialised (``init_weights``), so two processes with the same seed
    get the same teacher (a cache built by one matches the other).
    ``teacher_ckpt``, ``student_ckpt`` and the ``checkpoint`` of every
    distill module are dropped.

    Args:
        cfg (Config): A distiller config (``cfg.model.type`` a distiller
            with a ``teacher``).
        seed (int): The seed of the random weights. Defaults to 0.

    Returns:
        list[str]: The checkpoint paths that were dropped.
    """
    model = cfg.model
    if model.get('teacher') is None:
        raise ValueError('--random-teacher needs a distiller config with a '
                         f"`teacher`, but {model.get('type')!r} has none")
    dropped = [model.pop(k) for k in ('teacher_ckpt', 'student_ckpt')
               if model.get(k) is not None]
    for module in (model.get('distill_modules') or {}).values():
        if module.get('checkpoint') is not None:
            dropped.append(module.pop('checkpoint'))
            module.pop('checkpoint_prefix', None)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        teacher = build_model_from_spec(model.teacher, 'teacher')
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel('WARNING')  # not one INFO line per parameter
        try:
            teacher.init_weights()
        finally:
            logger.setLevel(level)
    model.teacher = teacher
    model.teacher_ckpt = None
    return dropped
