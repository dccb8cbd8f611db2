"""A training dataset whose clips can be matched to a teacher cache."""
import copy
import hashlib
import json
import os.path as osp
import random
from typing import Union

import numpy as np
import torch
from mmengine.dataset import BaseDataset

from .cache import TeacherCache
from mmkd_video.registry import DATASETS

# data-info keys that identify a clip (paths reduced to their file name, so
# moving the data root keeps a cache valid)
_IDENTITY_KEYS = ('filename', 'frame_dir', 'video_id', 'timestamp', 'label',
                  'total_frames', 'start_index')


def dataset_fingerprint(dataset: BaseDataset, pipeline_cfg: list) -> str:
    """SHA-1 of the dataset's clips in order and of its pipeline config.

    Args:
        dataset (BaseDataset): The (unwrapped) dataset.
        pipeline_cfg (list[dict]): Its pipeline as configured.
    """
    sha = hashlib.sha1()
    sha.update(json.dumps(pipeline_cfg, sort_keys=True,
                          default=str).encode())
    for idx in range(len(dataset)):
        info = dataset.get_data_info(idx)
        ident = {k: osp.basename(v) if isinstance(v, str) else v
                 for k, v in info.items() if k in _IDENTITY_KEYS}
        sha.update(json.dumps(ident, sort_keys=True, default=str).encode())
    return sha.hexdigest()


def check_deterministic(dataset: BaseDataset, idx: int = 0) -> None:
    """Raise unless sample ``idx`` comes out the same under two seeds.

    Random transforms (random frame offsets, crops, flips) draw from the
    global ``random``/``numpy``/``torch`` generators, so loading the same
    sample under two seeds exposes them. The generators' states are restored.

    Args:
        dataset (BaseDataset): The (wrapped) training dataset.
        idx (int): The sample to load twice. Defaults to 0.

    Raises:
        ValueError: The pipeline gave two different clips.
    """
    if len(dataset) == 0:
        return
    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    clips = []
    try:
        for seed in (1, 2):
            random.seed(seed)
            np.random.seed(seed)
            torch.manual_seed(seed)
            clips.append(dataset[idx]['inputs'])
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])
    if not torch.equal(torch.as_tensor(clips[0]), torch.as_tensor(clips[1])):
        types = [t.__class__.__name__ for t in dataset.pipeline.transforms]
        raise ValueError(
            f'the pipeline {types} is random: sample {idx} differs between '
            'two seeds, so cached teacher outputs would not match the '
            'clips the student sees. A teacher cache needs a deterministic '
            'pipeline: SampleFrames(test_mode=True), CenterCrop instead of '
            'RandomCrop/RandomResizedCrop/MultiScaleCrop, no Flip.')


@DATASETS.register_module()
class TeacherCacheDataset:
    """Wrap a training dataset for training from a teacher cache.

    On construction it checks that the cache in ``cache_dir`` was built for
    exactly this dataset (length, clips in order, pipeline config) and that
    the pipeline is deterministic; each item's data sample then carries its
    index as ``sample_idx`` metainfo, the key the distiller's cache lookup
    uses (mmaction2's ``PackActionInputs`` does not pack it by default).

    Args:
        dataset (dict | BaseDataset): The dataset, as a config or built.
        cache_dir (str): The teacher cache folder (the same as the
            distiller's ``teacher_cache``).

    Examples:
        >>> train_dataloader = dict(dataset=dict(
        ...     type='TeacherCacheDataset', cache_dir=cache_dir,
        ...     dataset=dict(type='VideoDataset', ..., pipeline=val_pipeline)))
    """

    def __init__(self, dataset: Union[dict, BaseDataset],
                 cache_dir: str) -> None:
        if isinstance(dataset, dict):
            pipeline_cfg = copy.deepcopy(dataset.get('pipeline', []))
            dataset = DATASETS.build(dataset)
        else:
            pipeline_cfg = getattr(dataset, 'pipeline_cfg', None)
            if pipeline_cfg is None:
                raise TypeError(
                    'TeacherCacheDataset needs the dataset as a config dict '
                    '(its pipeline config is part of the cache check), but '
                    f'got a built {type(dataset).__name__}')
        self.dataset = dataset
        self.cache_dir = cache_dir
        cache = TeacherCache(cache_dir)
        cache.check_dataset(dataset_fingerprint(dataset, pipeline_cfg),
                            len(dataset))
        check_deterministic(dataset)

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(self.dataset.metainfo)

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, idx: int) -> dict:
        item = self.dataset[idx]
        item['data_samples'].set_metainfo(dict(sample_idx=int(idx)))
        return item
