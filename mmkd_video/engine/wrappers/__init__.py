from .distiller_data_parallel import DistillerDataParallel

__all__ = ['DistillerDataParallel']
