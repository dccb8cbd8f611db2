from .channels_last_hook import ChannelsLast3dHook, conv3d_channels_last
from .curve_plot_hook import CurvePlotHook
from .distill_diagnostics_hook import DistillDiagnosticsHook
from .finite_checkpoint_hook import FiniteCheckpointHook
from .plain_checkpoint_hook import PlainCheckpointHook
from .random_state_hook import RandomStateHook
from .student_export_hook import StudentExportHook
from .teacher_val_hook import TeacherValHook
from .train_start_seed_hook import TrainStartSeedHook

__all__ = ['ChannelsLast3dHook', 'CurvePlotHook', 'DistillDiagnosticsHook',
           'FiniteCheckpointHook',
           'PlainCheckpointHook', 'RandomStateHook', 'StudentExportHook',
           'TeacherValHook', 'TrainStartSeedHook', 'conv3d_channels_last']
