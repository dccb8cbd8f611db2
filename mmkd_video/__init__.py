"""mmkd_video: knowledge distillation for video models on OpenMMLab."""
from . import compat

compat.apply()

# Fill mmaction2's registries (our parents): a child registry only searches
# its parents' already-registered modules.
from mmaction.utils import register_all_modules  # noqa: E402

register_all_modules(init_default_scope=False)

from . import datasets, engine, models  # noqa: E402,F401  (register modules)
from .utils import register_safe_checkpoint_loaders  # noqa: E402

# Every checkpoint scheme (local, http, hub names, object stores) loads
# weights-only; refusals name the file, its role and the opt-in.
register_safe_checkpoint_loaders()
from .version import __version__  # noqa: E402

__all__ = ['__version__']
