from .data_parallel_optim_wrapper import (DataParallelAmpOptimWrapper,
                                          DataParallelOptimWrapper,
                                          GradientAveragingMixin)
from .distiller_optim_wrapper_constructor import \
    DistillerOptimWrapperConstructor

__all__ = [
    'DataParallelAmpOptimWrapper', 'DataParallelOptimWrapper',
    'DistillerOptimWrapperConstructor', 'GradientAveragingMixin'
]
