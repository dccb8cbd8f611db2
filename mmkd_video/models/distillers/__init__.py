from .loss_schedule import LossWeightSchedule
from .roi_teacher_forward import RoITeacherForward
from .recorder import ModuleRecorder, RecorderGroup, get_submodule
from .video_distiller import VideoDistiller, build_model_from_spec

__all__ = ['VideoDistiller', 'ModuleRecorder', 'RecorderGroup',
           'LossWeightSchedule', 'RoITeacherForward', 'get_submodule', 'build_model_from_spec']
