"""MMEngine's DDP wrapper, usable on CPU-only machines."""
from mmengine.model import MMDistributedDataParallel

# MMEngine's root registry, not ours: Runner.wrap_model resolves the wrapper
# type with MODEL_WRAPPERS.get, which searches the root and its direct
# children only (not mmkd_video, a grandchild under mmaction).
from mmengine.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class DeviceAwareDDP(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that drops ``device_ids`` on CPU.

    ``Runner.wrap_model`` passes ``device_ids=[LOCAL_RANK]`` to every DDP
    subclass, and torch's DDP rejects ``device_ids`` for a module on CPU. On
    CPU (gloo) they are dropped; on GPU nothing changes. For plain
    recognizers; distillers use :class:`DistillerDataParallel`.

    Example:
        >>> model_wrapper_cfg = dict(type='DeviceAwareDDP')
    """

    def __init__(self, module, device_ids=None, **kwargs) -> None:
        param = next(module.parameters(), None)
        if param is not None and param.device.type == 'cpu':
            device_ids = None
        super().__init__(module=module, device_ids=device_ids, **kwargs)
