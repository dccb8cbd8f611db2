from .device_aware_ddp import DeviceAwareDDP
from .distiller_data_parallel import DistillerDataParallel

__all__ = ['DeviceAwareDDP', 'DistillerDataParallel']
