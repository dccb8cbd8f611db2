"""mmkd_video: knowledge distillation for video models on OpenMMLab."""
from . import compat

compat.apply()

from . import datasets, engine, models  # noqa: E402,F401  (register modules)
from .version import __version__  # noqa: E402

__all__ = ['__version__']
