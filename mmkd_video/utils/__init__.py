from .export import save_student_checkpoint, student_state_dict

__all__ = ['save_student_checkpoint', 'student_state_dict']
from .registry_errors import friendly_registry_errors, suggest  # noqa: E402

__all__ += ['friendly_registry_errors', 'suggest']
from .data_root import reroot_dataset_paths  # noqa: E402

__all__ += ['reroot_dataset_paths']
from .safe_loading import (CheckpointReadError,  # noqa: E402
                           UnsafeCheckpointError, checkpoints_trusted,
                           declare_checkpoint_role, is_complete_checkpoint,
                           load_checkpoint_file,
                           register_safe_checkpoint_loaders,
                           trust_checkpoints)

__all__ += ['CheckpointReadError', 'UnsafeCheckpointError',
            'checkpoints_trusted', 'declare_checkpoint_role',
            'is_complete_checkpoint', 'load_checkpoint_file',
            'register_safe_checkpoint_loaders', 'trust_checkpoints']
from .amp import AMP_DTYPES, enable_amp  # noqa: E402

__all__ += ['AMP_DTYPES', 'enable_amp']
from .state_dict_fit import check_state_dict_fits  # noqa: E402

__all__ += ['check_state_dict_fits']
from .checkpoint_files import (find_resume_checkpoint,  # noqa: E402
                               nonfinite_entries, write_atomically)

__all__ += ['find_resume_checkpoint', 'nonfinite_entries', 'write_atomically']
from .work_dir import check_work_dir_writable  # noqa: E402

__all__ += ['check_work_dir_writable']
