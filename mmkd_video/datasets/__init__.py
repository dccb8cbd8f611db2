"""Datasets: checked mmaction2 datasets and the synthetic data generator."""
# re-exported: the wrapper lives in the teacher-cache package
from mmkd_video.teacher_cache import (TeacherCacheDataset,
                                      check_deterministic,
                                      dataset_fingerprint)
from .checked_ava_dataset import CheckedAVADataset
from .checked_list import CheckedListMixin
from .checked_rawframe_dataset import CheckedRawframeDataset
from .checked_video_dataset import CheckedVideoDataset
from .file_errors import (DataFileError, ReportFileErrors, apply_transforms,
                          describe_source)
from .synthetic import (LAYOUTS, MAX_CLASSES, MOTIONS, ClipInfo, class_names,
                        flip_label_map, generate_dataset, motion_states,
                        plan_clips, render_clip, sample_appearance,
                        write_rawframes, write_video)
from .synthetic_ava import AVA_ACTIONS, generate_ava_dataset
from .video_probe import decoder_of, probe_videos

__all__ = [
    'CheckedAVADataset', 'AVA_ACTIONS', 'generate_ava_dataset',
    'CheckedListMixin', 'CheckedVideoDataset', 'CheckedRawframeDataset',
    'DataFileError',
    'ReportFileErrors', 'apply_transforms', 'describe_source', 'LAYOUTS',
    'MAX_CLASSES', 'MOTIONS', 'ClipInfo', 'class_names', 'flip_label_map',
    'generate_dataset', 'motion_states', 'plan_clips', 'render_clip',
    'sample_appearance', 'write_rawframes', 'write_video',
    'TeacherCacheDataset', 'check_deterministic', 'dataset_fingerprint',
    'decoder_of', 'probe_videos'
]
