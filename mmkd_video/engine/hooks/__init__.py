from .student_export_hook import StudentExportHook
from .teacher_val_hook import TeacherValHook

__all__ = ['StudentExportHook', 'TeacherValHook']
