"""Kept import path: the cache lives in :mod:`mmkd_video.teacher_cache`."""
from mmkd_video.teacher_cache.cache import (  # noqa: F401
    CACHE_VERSION, TeacherCache, TeacherCacheWriter, recorder_spec,
    sample_indices, teacher_fingerprint)
