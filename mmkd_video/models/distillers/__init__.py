from .loss_schedule import LossWeightSchedule
from .recorder import ModuleRecorder, RecorderGroup, get_submodule
from .teacher_cache import (TeacherCache, TeacherCacheWriter,
                            teacher_fingerprint)
from .teacher_precision import teacher_autocast
from .video_distiller import VideoDistiller, build_model_from_spec

__all__ = ['VideoDistiller', 'ModuleRecorder', 'RecorderGroup',
           'LossWeightSchedule', 'get_submodule', 'build_model_from_spec',
           'TeacherCache', 'TeacherCacheWriter', 'teacher_fingerprint',
           'teacher_autocast']
