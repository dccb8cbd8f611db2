"""mmkd_video: knowledge distillation for video models on OpenMMLab."""
from . import compat

# Checks only: a broken mmaction2 install fails here with one clear error.
# Patches to the libraries are explicit (``apply_compat_patches`` below).
compat.check()

# Fill mmaction2's registries (our parents): a child registry only searches
# its parents' already-registered modules.
from mmaction.utils import register_all_modules  # noqa: E402

register_all_modules(init_default_scope=False)

from . import datasets, engine, models  # noqa: E402,F401  (register modules)
from .utils import register_safe_checkpoint_loaders  # noqa: E402

# Kept at import on purpose: it is a security default, not a repair. Every
# checkpoint scheme (local, http, hub names, object stores) loads
# weights-only; refusals name the file, its role and the opt-in
# (``--trust-checkpoint`` / ``trust_checkpoints()``). Made opt-in, a config
# that loads a checkpoint in any process that forgot the call would unpickle
# arbitrary code.
register_safe_checkpoint_loaders()
from .version import __version__  # noqa: E402


def apply_compat_patches() -> list:
    """Repair known defects of the installed OpenMMLab libraries.

    Not run by ``import mmkd_video``: our tools (``tools/train.py``,
    ``tools/test.py``, ``tools/benchmark.py``) call it, and a script that
    trains or tests with bf16 AMP outside them should too. Each patch is
    gated on the library version it repairs (see :mod:`mmkd_video.compat`);
    today: mmaction2 1.2.x's ``BaseHead.loss_by_feat`` under bf16 autocast.
    Idempotent.

    Returns:
        list[str]: The patches in effect after the call.
    """
    return compat.apply_patches()


__all__ = ['__version__', 'apply_compat_patches']
