"""mmaction2's ``AVADataset`` with up-front checks of its annotation files.

Stock ``AVADataset`` trusts its files: a keyframe missing from the proposal
pickle silently becomes one whole-frame proposal ``[0, 0, 1, 1]`` (the model
then trains and is scored on a box that is no person), and a CSV row whose
frame folder is missing fails later inside a DataLoader worker. The subclass
here checks, when the annotations are loaded, that

* every CSV row has 8 fields (``video_id, timestamp, x1, y1, x2, y2,
  action_id, person_id``) with normalised box coordinates;
* every keyframe lies in ``[timestamp_start, timestamp_end)`` (mmaction2
  clamps frame indices to that range, so a keyframe past it would silently
  be given the last frames);
* every keyframe's frame folder and its centre frame exist;
* every keyframe (after the excluded timestamps) has a proposal entry of
  shape ``[n, 4]`` or ``[n, 5]`` with coordinates in ``[0, 1]``;

and raises one error naming the offending keys (``'video_id,timestamp'``)
and how to fix them. Parsing stays mmaction2's own.
"""
import os.path as osp
from typing import List

import numpy as np
from mmaction.datasets import AVADataset
from mmengine.fileio import exists, isdir, isfile, list_from_file

from mmkd_video.registry import DATASETS
from .file_errors import apply_transforms

_SHOWN = 5  # offending keys quoted in one message


class MissingProposalsError(KeyError):
    """Keyframes without proposals; a KeyError whose message reads well
    (``str(KeyError(msg))`` would print ``repr(msg)``)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _listing(items: List[str]) -> str:
    shown = '\n'.join(f'  {item}' for item in items[:_SHOWN])
    if len(items) > _SHOWN:
        shown += f'\n  ... and {len(items) - _SHOWN} more'
    return shown


@DATASETS.register_module()
class CheckedAVADataset(AVADataset):
    """``AVADataset`` that checks CSV rows, frames and proposals on load.

    Takes every argument of mmaction2's ``AVADataset`` (``ann_file``,
    ``exclude_file``, ``label_file``, ``proposal_file``, ``data_prefix``,
    ``timestamp_start``/``timestamp_end``, ``fps``...), plus:

    Args:
        check_files (bool): Check the frame folder and centre frame of every
            keyframe. Set False for huge sets on slow storage. Defaults to
            True.
        lazy_init (bool): As mmengine's ``BaseDataset``. Defaults to False.

    Raises:
        FileNotFoundError: An annotation file, a keyframe's frame folder or
            its centre frame is missing.
        ValueError: A CSV row is malformed, or a keyframe lies outside
            ``[timestamp_start, timestamp_end)``.
        MissingProposalsError: A keyframe has no proposals in
            ``proposal_file`` (a ``KeyError``).
    """

    def __init__(self, *args, check_files: bool = True,
                 lazy_init: bool = False, **kwargs) -> None:
        self.check_files = check_files
        # AVADataset loads the proposals after BaseDataset's init; build
        # lazily so the checks in ``filter_data`` can see them.
        super().__init__(*args, lazy_init=True, **kwargs)
        if not lazy_init:
            self.full_init()

    def load_data_list(self) -> List[dict]:
        """Check the CSV rows, load them with mmaction2, check the frames."""
        for what, path in (('ann_file', self.ann_file),
                           ('exclude_file', self.exclude_file),
                           ('label_file', self.label_file),
                           ('proposal_file', self.proposal_file)):
            if path is not None and not exists(path):
                raise FileNotFoundError(
                    f'{type(self).__name__}: {what} {path!r} does not exist. '
                    'Point the config at the AVA annotations (data/ava/'
                    'annotations in mmaction2\'s layout) or generate the '
                    'synthetic set with tools/data/generate_synthetic.py '
                    '--layout ava.')
        for lineno, line in enumerate(list_from_file(self.ann_file), 1):
            self._check_row(lineno, line)
        data_list = super().load_data_list()
        outside = [repr(info['img_key']) for info in data_list
                   if not self.timestamp_start <= info['timestamp']
                   < self.timestamp_end]
        if outside:
            raise ValueError(
                f'{type(self).__name__}: {len(outside)} keyframes of '
                f'{self.ann_file!r} lie outside [timestamp_start, '
                f'timestamp_end) = [{self.timestamp_start}, '
                f'{self.timestamp_end}):\n{_listing(outside)}\nFix: set the '
                "dataset's timestamp_start/timestamp_end to the seconds the "
                'frames span (AVA: 900, 1800; the generator prints them).')
        if self.check_files:
            missing = [m for m in map(self._missing_frames, data_list) if m]
            if missing:
                raise FileNotFoundError(
                    f'{type(self).__name__}: {len(missing)} of '
                    f'{len(data_list)} keyframes of {self.ann_file!r} have '
                    f'no frames:\n{_listing(missing)}\n(data_prefix='
                    f'{dict(self.data_prefix)!r}). Fix: set data_prefix.img '
                    '(or data_root) to the folder holding <video_id>/'
                    f'{self.filename_tmpl.format(1)}..., or remove these '
                    'rows from the CSV.')
        return data_list

    def _check_row(self, lineno: int, line: str) -> None:
        fields = line.strip().split(',')
        problem = None
        if len(fields) != 8:
            problem = f'{len(fields)} comma-separated fields, 8 expected'
        else:
            try:
                int(fields[1]), int(fields[6]), int(fields[7])
                box = [float(v) for v in fields[2:6]]
            except ValueError as exc:
                problem = str(exc)
            else:
                if not all(0. <= v <= 1. for v in box):
                    problem = f'box {box} is not normalised to [0, 1]'
        if problem is not None:
            raise ValueError(
                f'{type(self).__name__}: line {lineno} of {self.ann_file!r} '
                f'is malformed ({problem}): {line!r}. Expected '
                "'video_id,timestamp,x1,y1,x2,y2,action_id,person_id'.")

    def _missing_frames(self, info: dict) -> str:
        """'' when the keyframe's frames exist, else what is missing."""
        key, frame_dir = info['img_key'], info['frame_dir']
        if not isdir(frame_dir):
            return f'{key!r}: frame folder {frame_dir!r} does not exist'
        # the frame SampleAVAFrames centres the clip on (1-based)
        index = self._FPS * (info['timestamp'] - self.timestamp_start) + 1
        frame = osp.join(frame_dir, self.filename_tmpl.format(index))
        if not isfile(frame):
            return (f'{key!r}: frame {frame!r} does not exist (timestamp_'
                    f'start={self.timestamp_start}, fps={self._FPS})')
        return ''

    def filter_data(self) -> List[dict]:
        """Drop excluded timestamps (mmaction2), then check proposals."""
        data_list = super().filter_data()
        if self.proposals is None:
            return data_list
        missing, bad = [], []
        for info in data_list:
            key = info['img_key']
            if key not in self.proposals:
                missing.append(repr(key))
                continue
            boxes = np.asarray(self.proposals[key])
            if (boxes.ndim != 2 or boxes.shape[1] not in (4, 5)
                    or len(boxes) == 0 or boxes[:, :4].min() < 0
                    or boxes[:, :4].max() > 1):
                low, high = ((boxes[..., :4].min(), boxes[..., :4].max())
                             if boxes.size else (0., 0.))
                bad.append(f'{key!r}: shape {boxes.shape}, box range '
                           f'[{low:.3f}, {high:.3f}]')
        if missing:
            raise MissingProposalsError(
                f'{type(self).__name__}: {len(missing)} of {len(data_list)} '
                f'keyframes of {self.ann_file!r} have no entry in proposal '
                f'file {self.proposal_file!r} (keys "video_id,timestamp" '
                f'with a 4-digit timestamp):\n{_listing(missing)}\nmmaction2 '
                'would silently use one whole-frame box for them. Fix: use '
                'the proposal file made for this annotation file, or list '
                'these keyframes in the exclude_file.')
        if bad:
            raise ValueError(
                f'{type(self).__name__}: proposals of {self.proposal_file!r} '
                'must be non-empty [n, 4] or [n, 5] arrays (x1, y1, x2, y2[, '
                f'score]) normalised to [0, 1]; these are not:\n'
                f'{_listing(bad)}')
        return data_list

    def prepare_data(self, idx: int):
        """Run the pipeline on sample ``idx``; errors name its frames."""
        return apply_transforms(
            self.pipeline.transforms, self.get_data_info(idx),
            context=f' (sample {idx} of {self.ann_file!r})')
