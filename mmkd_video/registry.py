"""Registries of mmkd_video, children of mmaction2's.

Every registry below has ``scope='mmkd_video'`` and mmaction2's registry as
parent, so a config with ``default_scope='mmkd_video'`` builds our modules and,
through the parent, every mmaction2 (and mmengine) module by type name.
``locations`` lets mmengine import mmkd_video (which registers everything) when a config
is built without an explicit ``import mmkd_video``.
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
from mmengine.registry import Registry

MODELS = Registry(
    'model', parent=MMACTION_MODELS, scope='mmkd_video',
    locations=['mmkd_video'])
MODEL_WRAPPERS = Registry(
    'model_wrapper', parent=MMACTION_MODEL_WRAPPERS, scope='mmkd_video',
    locations=['mmkd_video'])
DATASETS = Registry(
    'dataset', parent=MMACTION_DATASETS, scope='mmkd_video',
    locations=['mmkd_video'])
TRANSFORMS = Registry(
    'transform', parent=MMACTION_TRANSFORMS, scope='mmkd_video',
    locations=['mmkd_video'])
METRICS = Registry(
    'metric', parent=MMACTION_METRICS, scope='mmkd_video',
    locations=['mmkd_video'])
EVALUATOR = Registry(
    'evaluator', parent=MMACTION_EVALUATOR, scope='mmkd_video',
    locations=['mmkd_video'])
HOOKS = Registry(
    'hook', parent=MMACTION_HOOKS, scope='mmkd_video',
    locations=['mmkd_video'])
LOOPS = Registry(
    'loop', parent=MMACTION_LOOPS, scope='mmkd_video',
    locations=['mmkd_video'])
OPTIMIZERS = Registry(
    'optimizer', parent=MMACTION_OPTIMIZERS, scope='mmkd_video',
    locations=['mmkd_video'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMACTION_OPTIM_WRAPPERS, scope='mmkd_video',
    locations=['mmkd_video'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMACTION_OPTIM_WRAPPER_CONSTRUCTORS, scope='mmkd_video',
    locations=['mmkd_video'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMACTION_PARAM_SCHEDULERS,
    scope='mmkd_video', locations=['mmkd_video'])
VISUALIZERS = Registry(
    'visualizer', parent=MMACTION_VISUALIZERS, scope='mmkd_video',
    locations=['mmkd_video'])
