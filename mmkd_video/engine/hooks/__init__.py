from .channels_last_hook import ChannelsLast3dHook, conv3d_channels_last
from .student_export_hook import StudentExportHook
from .teacher_val_hook import TeacherValHook

__all__ = ['StudentExportHook', 'TeacherValHook', 'ChannelsLast3dHook',
           'conv3d_channels_last']
