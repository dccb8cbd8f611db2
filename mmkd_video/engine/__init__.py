from .atomic_local_backend import AtomicLocalBackend  # noqa: F401
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .launch import init_process_group_on_cpu  # noqa: F401
from .wrappers import *  # noqa: F401,F403
