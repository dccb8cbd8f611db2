# re-exported: the cache moved to its own package (mmkd_video.teacher_cache)
from mmkd_video.teacher_cache import (TeacherCache, TeacherCacheWriter,
                                      teacher_fingerprint)
from .loss_schedule import LossWeightSchedule
from .roi_teacher_forward import RoITeacherForward
from .recorder import ModuleRecorder, RecorderGroup, get_submodule
from .teacher_precision import teacher_autocast
from .video_distiller import VideoDistiller, build_model_from_spec

__all__ = ['VideoDistiller', 'ModuleRecorder', 'RecorderGroup',
           'LossWeightSchedule', 'RoITeacherForward', 'get_submodule',
           'build_model_from_spec', 'TeacherCache', 'TeacherCacheWriter',
           'teacher_fingerprint', 'teacher_autocast']
