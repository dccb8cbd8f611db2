from .export import export_student, save_student_checkpoint, student_state_dict

__all__ = ['export_student', 'save_student_checkpoint', 'student_state_dict']
from .registry_errors import friendly_registry_errors, suggest  # noqa: E402

__all__ += ['friendly_registry_errors', 'suggest']
from .data_root import reroot_dataset_paths  # noqa: E402

__all__ += ['reroot_dataset_paths']
from .safe_loading import (UnsafeCheckpointError,  # noqa: E402
                           checkpoints_trusted, load_local_checkpoint,
                           register_safe_local_loader, trust_checkpoints)

__all__ += ['UnsafeCheckpointError', 'checkpoints_trusted',
            'load_local_checkpoint', 'register_safe_local_loader',
            'trust_checkpoints']
from .amp import AMP_DTYPES, enable_amp  # noqa: E402

__all__ += ['AMP_DTYPES', 'enable_amp']
