"""Registries of mmkd_video, children of mmaction2's.

Every registry below has ``scope='mmkd_video'`` and mmaction2's registry as
parent, so a config with ``default_scope='mmkd_video'`` builds our modules and,
through the parent, every mmaction2 (and mmengine) module by type name.
``locations`` lets mmengine import mmkd_video (which registers everything) when a config
is built without an explicit ``import mmkd_video``.

Our modules build their parts with ``MODELS.build`` (the GenKD neck its head,
the holistic loss its critic, the distiller its connectors and losses). A
plain mmengine registry would build those from the *caller's* default scope,
so inside a user's config with ``default_scope='mmaction'`` our own part
types were not found. :class:`ScopedRegistry` makes ``build`` use our scope
when the caller's scope is mmaction2's or mmengine's (ours sees all of
theirs) or does not know the type.
"""
from mmaction.registry import DATASETS as MMACTION_DATASETS
from mmaction.registry import EVALUATOR as MMACTION_EVALUATOR
from mmaction.registry import HOOKS as MMACTION_HOOKS
from mmaction.registry import LOOPS as MMACTION_LOOPS
from mmaction.registry import METRICS as MMACTION_METRICS
from mmaction.registry import MODEL_WRAPPERS as MMACTION_MODEL_WRAPPERS
from mmaction.registry import MODELS as MMACTION_MODELS
from mmaction.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMACTION_OPTIM_WRAPPER_CONSTRUCTORS
from mmaction.registry import OPTIM_WRAPPERS as MMACTION_OPTIM_WRAPPERS
from mmaction.registry import OPTIMIZERS as MMACTION_OPTIMIZERS
from mmaction.registry import PARAM_SCHEDULERS as MMACTION_PARAM_SCHEDULERS
from mmaction.registry import TRANSFORMS as MMACTION_TRANSFORMS
from mmaction.registry import VISUALIZERS as MMACTION_VISUALIZERS
from mmengine.registry import DefaultScope, Registry


class ScopedRegistry(Registry):
    """A registry whose ``build`` finds our types whatever the default scope.

    mmengine's ``build`` switches to the registry of the current default
    scope (``DefaultScope``), e.g. mmaction2's under ``default_scope=
    'mmaction'``, where a type registered here (``GenerativeAttentionHead``)
    does not exist. Here a config without ``_scope_`` is built in this
    registry's scope (which reaches every mmaction2 and mmengine type through
    the parents, and makes nested builds, e.g. a recognizer's neck, find our
    types too) unless the caller's scope is another branch of the tree (a
    user's own package, mmdet) that registers the type itself: then its
    meaning wins, as in mmengine. An explicit ``_scope_`` is left alone.
    """

    def build(self, cfg, *args, **kwargs):
        if isinstance(cfg, dict) and '_scope_' not in cfg and \
                self._ours_should_build(cfg.get('type')):
            cfg = {**cfg, '_scope_': self.scope}
        return super().build(cfg, *args, **kwargs)

    def _ours_should_build(self, obj_type) -> bool:
        current = DefaultScope.get_current_instance()
        if current is None or current.scope_name == self.scope:
            return False  # mmengine builds from this registry anyway
        caller = self._get_root_registry()._search_child(current.scope_name)
        ancestor = self.parent
        while ancestor is not None:
            if ancestor is caller:
                return True  # ours sees all the caller sees, and more
            ancestor = ancestor.parent
        return not (caller is not None and isinstance(obj_type, str)
                    and caller.get(obj_type) is not None)


MODELS = ScopedRegistry(
    'model', parent=MMACTION_MODELS, scope='mmkd_video',
    locations=['mmkd_video'])
MODEL_WRAPPERS = ScopedRegistry(
    'model_wrapper', parent=MMACTION_MODEL_WRAPPERS, scope='mmkd_video',
    locations=['mmkd_video'])
DATASETS = ScopedRegistry(
    'dataset', parent=MMACTION_DATASETS, scope='mmkd_video',
    locations=['mmkd_video'])
TRANSFORMS = ScopedRegistry(
    'transform', parent=MMACTION_TRANSFORMS, scope='mmkd_video',
    locations=['mmkd_video'])
METRICS = ScopedRegistry(
    'metric', parent=MMACTION_METRICS, scope='mmkd_video',
    locations=['mmkd_video'])
EVALUATOR = ScopedRegistry(
    'evaluator', parent=MMACTION_EVALUATOR, scope='mmkd_video',
    locations=['mmkd_video'])
HOOKS = ScopedRegistry(
    'hook', parent=MMACTION_HOOKS, scope='mmkd_video',
    locations=['mmkd_video'])
LOOPS = ScopedRegistry(
    'loop', parent=MMACTION_LOOPS, scope='mmkd_video',
    locations=['mmkd_video'])
OPTIMIZERS = ScopedRegistry(
    'optimizer', parent=MMACTION_OPTIMIZERS, scope='mmkd_video',
    locations=['mmkd_video'])
OPTIM_WRAPPERS = ScopedRegistry(
    'optim_wrapper', parent=MMACTION_OPTIM_WRAPPERS, scope='mmkd_video',
    locations=['mmkd_video'])
OPTIM_WRAPPER_CONSTRUCTORS = ScopedRegistry(
    'optimizer wrapper constructor',
    parent=MMACTION_OPTIM_WRAPPER_CONSTRUCTORS, scope='mmkd_video',
    locations=['mmkd_video'])
PARAM_SCHEDULERS = ScopedRegistry(
    'parameter scheduler', parent=MMACTION_PARAM_SCHEDULERS,
    scope='mmkd_video', locations=['mmkd_video'])
VISUALIZERS = ScopedRegistry(
    'visualizer', parent=MMACTION_VISUALIZERS, scope='mmkd_video',
    locations=['mmkd_video'])
