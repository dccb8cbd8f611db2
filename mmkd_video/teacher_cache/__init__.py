"""Offline KD: the teacher's recorded outputs, computed once and read back.

One package for the whole cache: the on-disk format (``cache``: reader,
writer, fingerprints), the training-dataset wrapper that matches clips to
cache rows (``dataset``) and the builder that runs a distiller's teacher
over a dataset (``builder``, used by ``tools/build_teacher_cache.py``).

It sits on the floor above ``utils`` and below ``models`` and ``datasets``:
the distiller reads a cache and ``datasets`` re-exports the wrapper, so the
package itself imports nothing from them (the builder takes the distiller as
an argument and only calls its public methods).
"""
from .builder import build_teacher_cache
from .cache import (CACHE_VERSION, TeacherCache, TeacherCacheWriter,
                    recorder_spec, sample_indices, teacher_fingerprint)
from .dataset import (TeacherCacheDataset, check_deterministic,
                      dataset_fingerprint)

__all__ = [
    'CACHE_VERSION', 'TeacherCache', 'TeacherCacheWriter', 'recorder_spec',
    'sample_indices', 'teacher_fingerprint', 'TeacherCacheDataset',
    'check_deterministic', 'dataset_fingerprint', 'build_teacher_cache'
]
