from .export import export_student, save_student_checkpoint, student_state_dict

__all__ = ['export_student', 'save_student_checkpoint', 'student_state_dict']
from .registry_errors import friendly_registry_errors, suggest  # noqa: E402

__all__ += ['friendly_registry_errors', 'suggest']
from .data_root import reroot_dataset_paths  # noqa: E402

__all__ += ['reroot_dataset_paths']
from .amp import AMP_DTYPES, enable_amp  # noqa: E402

__all__ += ['AMP_DTYPES', 'enable_amp']
