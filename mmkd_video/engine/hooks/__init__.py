from .random_state_hook import RandomStateHook
from .student_export_hook import StudentExportHook
from .teacher_val_hook import TeacherValHook

__all__ = ['RandomStateHook', 'StudentExportHook', 'TeacherValHook']
