"""Offline KD: the teacher's recorded outputs, precomputed once, on disk.

For a deterministic pipeline (test-mode frame sampling, centre crop, no
flip) the teacher sees the same clip for a sample index in every epoch, so
its recorded outputs can be computed once (``tools/build_teacher_cache.py``)
and read back instead of running the teacher. The training dataset is
wrapped in ``TeacherCacheDataset``, which checks the dataset against the
cache and puts each clip's index into its data sample (``sample_idx``); the
distiller, given ``teacher_cache=DIR``, looks the records up by that index.

Layout of ``DIR``::

    meta.json       version, num_samples, teacher fingerprint, recorder
                    specs and per-sample shapes, dataset fingerprint
    <recorder>.npy  float16 array [num_samples, *shape], read memory-mapped

``meta.json`` is written last, so an interrupted build never looks valid.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn

CACHE_VERSION = 1
META_FILE = 'meta.json'
FP16_MAX = float(np.finfo(np.float16).max)


def teacher_fingerprint(teacher: nn.Module) -> str:
    """SHA-1 of the teacher's state dict (names, dtypes, shapes, values).

    A cache computed with other teacher weights gives other targets; this
    detects it (40 ms for the 8.3 M-parameter demo teacher, measured).
    """
    sha = hashlib.sha1()
    for name, value in sorted(teacher.state_dict().items()):
        value = value.detach().cpu().contiguous()
        sha.update(f'{name}:{value.dtype}:{tuple(value.shape)}'.encode())
        sha.update(value.reshape(-1).view(torch.uint8).numpy().tobytes()
                   if value.numel() else b'')
    return sha.hexdigest()


def recorder_spec(recorder) -> dict:
    """What a :class:`ModuleRecorder` records, as stored in ``meta.json``."""
    return dict(module=recorder.path, source=recorder.source,
                index=recorder.index)


def _build_hint(cache_dir: str) -> str:
    return (f'Build it with `python tools/build_teacher_cache.py CONFIG` '
            f'(writes {cache_dir!r}).')


def sample_indices(data_samples: Optional[Sequence]) -> List[int]:
    """The dataset index of each clip of a batch (``sample_idx`` metainfo).

    Raises:
        KeyError: A data sample carries no ``sample_idx``.
    """
    if not data_samples:
        raise KeyError('the teacher cache needs the data samples of the '
                       'batch (with `sample_idx`), but got none')
    indices = []
    for sample in data_samples:
        idx = sample.metainfo.get('sample_idx')
        if idx is None:
            raise KeyError(
                'a data sample has no `sample_idx` metainfo, so its teacher '
                "outputs can't be looked up. Wrap the training dataset: "
                "train_dataloader.dataset=dict(type='TeacherCacheDataset', "
                'cache_dir=..., dataset=<your dataset>).')
        indices.append(int(idx))
    return indices


class TeacherCache:
    """Read a teacher cache written by :class:`TeacherCacheWriter`.

    Args:
        cache_dir (str): The cache folder.

    Examples:
        >>> cache = TeacherCache('work_dirs/teacher_cache/kd')
        >>> records = cache.lookup(data_samples, torch.device('cpu'))
        >>> records['logits'].shape  # [N, 10], float32
    """

    def __init__(self, cache_dir: str) -> None:
        self.cache_dir = cache_dir
        meta_path = osp.join(cache_dir, META_FILE)
        if not osp.isfile(meta_path):
            raise FileNotFoundError(
                f'no teacher cache at {cache_dir!r} ({META_FILE} missing). '
                + _build_hint(cache_dir))
        with open(meta_path) as f:
            self.meta = json.load(f)
        if self.meta.get('version') != CACHE_VERSION:
            raise ValueError(
                f'teacher cache {cache_dir!r}: expected format version '
                f'{CACHE_VERSION}, but got {self.meta.get("version")}. '
                + _build_hint(cache_dir))
        self.num_samples = int(self.meta['num_samples'])
        self.arrays: Dict[str, np.ndarray] = {}
        for name, info in self.meta['records'].items():
            array = np.load(osp.join(cache_dir, f'{name}.npy'), mmap_mode='r')
            expected = (self.num_samples, *info['shape'])
            if array.shape != expected or array.dtype != np.float16:
                raise ValueError(
                    f'teacher cache {cache_dir!r}: expected {name}.npy of '
                    f'shape {expected} float16, but got {array.shape} '
                    f'{array.dtype} (a damaged cache). '
                    + _build_hint(cache_dir))
            self.arrays[name] = array

    def __deepcopy__(self, memo: dict) -> 'TeacherCache':
        # read-only: a copied distiller (e.g. an EMA model) shares the maps
        # instead of reading the whole cache into memory
        return self

    def check_teacher(self, teacher: nn.Module, recorders: Dict) -> None:
        """Raise unless the cache was built for these recorders and weights.

        Args:
            teacher (nn.Module): The distiller's teacher.
            recorders (dict): ``name -> ModuleRecorder`` of the teacher.
        """
        cached = {k: v['spec'] for k, v in self.meta['records'].items()}
        wanted = {k: recorder_spec(r) for k, r in recorders.items()}
        if cached != wanted:
            raise ValueError(
                f'teacher cache {self.cache_dir!r} holds the recorders '
                f'{cached}, but the distiller records {wanted}. Rebuild the '
                'cache for this config. ' + _build_hint(self.cache_dir))
        if self.meta['teacher_fingerprint'] != teacher_fingerprint(teacher):
            raise ValueError(
                f'teacher cache {self.cache_dir!r} was computed with other '
                'teacher weights than the teacher of this distiller (state '
                'dict fingerprints differ: is `teacher_ckpt` the one the '
                'cache was built from?). ' + _build_hint(self.cache_dir))

    @staticmethod
    def check_preprocessor(preprocessor: nn.Module) -> None:
        """Raise if the preprocessor mixes clips (MixUp/CutMix blending):
        the teacher would see other inputs than the cached ones."""
        if getattr(preprocessor, 'blending', None) is not None:
            raise ValueError(
                'the data preprocessor blends clips (blending='
                f'{type(preprocessor.blending).__name__}), so the teacher '
                'outputs change every step and cannot be cached; remove '
                '`blending` or train without teacher_cache')

    def check_dataset(self, fingerprint: str, num_samples: int) -> None:
        """Raise unless the cache covers this dataset, clip for clip.

        Args:
            fingerprint (str): ``dataset_fingerprint()`` of the training
                dataset (annotation entries, order, pipeline config).
            num_samples (int): Its length.
        """
        if num_samples != self.num_samples:
            raise ValueError(
                f'teacher cache {self.cache_dir!r}: expected a dataset of '
                f'{self.num_samples} samples, but the training dataset has '
                f'{num_samples}. ' + _build_hint(self.cache_dir))
        if fingerprint != self.meta['dataset_fingerprint']:
            raise ValueError(
                f'teacher cache {self.cache_dir!r} was built for another '
                'dataset or pipeline (annotation entries, order or pipeline '
                'config differ). ' + _build_hint(self.cache_dir))

    def lookup(self, data_samples: Sequence,
               device: torch.device) -> Dict[str, torch.Tensor]:
        """The cached records of a batch, float32 on ``device``.

        Args:
            data_samples (Sequence[ActionDataSample]): The batch's samples;
                their ``sample_idx`` (set by ``TeacherCacheDataset``) index
                the cache.
            device (torch.device): Where the records go.

        Returns:
            dict: ``recorder name -> Tensor [N, *shape]``, in batch order.
        """
        indices = sample_indices(data_samples)
        bad = [i for i in indices if not 0 <= i < self.num_samples]
        if bad:
            raise IndexError(
                f'teacher cache {self.cache_dir!r} has {self.num_samples} '
                f'samples, but the batch asks for indices {bad}')
        return {
            name: torch.from_numpy(array[indices]).to(
                device=device, dtype=torch.float32, non_blocking=True)
            for name, array in self.arrays.items()
        }


class TeacherCacheWriter:
    """Write a teacher cache, batch by batch, then its ``meta.json``.

    Args:
        cache_dir (str): The folder (created; an old ``meta.json`` is
            removed first, so the cache is invalid until :meth:`close`).
        num_samples (int): The dataset length.
        recorders (dict): ``name -> ModuleRecorder`` of the teacher.
        teacher (nn.Module): The teacher (for the weights' fingerprint).
        dataset_fingerprint (str): From ``dataset_fingerprint()`` of
            :mod:`mmkd_video.teacher_cache.dataset`.
    """

    def __init__(self, cache_dir: str, num_samples: int, recorders: Dict,
                 teacher: nn.Module, dataset_fingerprint: str) -> None:
        os.makedirs(cache_dir, exist_ok=True)
        meta_path = osp.join(cache_dir, META_FILE)
        if osp.exists(meta_path):
            os.remove(meta_path)
        self.cache_dir = cache_dir
        self.num_samples = num_samples
        self.specs = {k: recorder_spec(r) for k, r in recorders.items()}
        self.teacher_fingerprint = teacher_fingerprint(teacher)
        self.dataset_fingerprint = dataset_fingerprint
        self.arrays: Dict[str, np.ndarray] = {}
        self.written = np.zeros(num_samples, dtype=bool)

    def write(self, indices: Sequence[int],
              records: Dict[str, torch.Tensor]) -> None:
        """Store the records ``[N, ...]`` of the clips ``indices``.

        Args:
            indices (Sequence[int]): The dataset indices of the N clips.
            records (dict[str, torch.Tensor]): ``recorder name -> [N, ...]``;
                stored as float16, so every value must fit it.
        """
        for name, value in records.items():
            if not isinstance(value, torch.Tensor):
                raise TypeError(
                    f'teacher recorder {name!r} recorded a '
                    f'{type(value).__name__}; the cache stores tensors only '
                    '(set the recorder `index=` to pick one element)')
            if value.shape[0] != len(indices):
                raise ValueError(
                    f'teacher recorder {name!r}: expected {len(indices)} '
                    f'clips in dim 0, but got shape {tuple(value.shape)}')
            value = value.detach().float()
            if not torch.isfinite(value).all() or \
                    value.abs().max() > FP16_MAX:
                raise ValueError(
                    f'teacher recorder {name!r} has values that float16 '
                    f'cannot hold (non-finite or |x| > {FP16_MAX:g}); record '
                    'a normalised tensor or train without the cache')
            if name not in self.arrays:
                self.arrays[name] = np.lib.format.open_memmap(
                    osp.join(self.cache_dir, f'{name}.npy'), mode='w+',
                    dtype=np.float16,
                    shape=(self.num_samples, *value.shape[1:]))
            array = self.arrays[name]
            if array.shape[1:] != tuple(value.shape[1:]):
                raise ValueError(
                    f'teacher recorder {name!r}: expected per-clip shape '
                    f'{array.shape[1:]} as in earlier batches, but got '
                    f'{tuple(value.shape[1:])}; the cache needs a fixed '
                    'clip shape (a deterministic pipeline with a fixed crop)')
            array[list(indices)] = value.cpu().numpy().astype(np.float16)
        self.written[list(indices)] = True

    def close(self) -> dict:
        """Flush the arrays and write ``meta.json``; returns the meta."""
        missing = np.flatnonzero(~self.written)
        if len(missing):
            raise RuntimeError(f'teacher cache: {len(missing)} samples were '
                               f'never written, e.g. {missing[:8].tolist()}')
        meta = dict(
            version=CACHE_VERSION, num_samples=self.num_samples,
            teacher_fingerprint=self.teacher_fingerprint,
            dataset_fingerprint=self.dataset_fingerprint,
            records={name: dict(spec=self.specs[name],
                                shape=list(array.shape[1:]))
                     for name, array in self.arrays.items()})
        for array in self.arrays.values():
            array.flush()
        with open(osp.join(self.cache_dir, META_FILE), 'w') as f:
            json.dump(meta, f, indent=1)
        return meta
