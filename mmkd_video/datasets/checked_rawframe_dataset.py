"""mmaction2's ``RawframeDataset`` with up-front frame-folder checks."""
import os.path as osp
from typing import Optional

from mmaction.datasets import RawframeDataset
from mmengine.fileio import isdir, isfile, join_path

from mmkd_video.registry import DATASETS
from .checked_list import CheckedListMixin


@DATASETS.register_module()
class CheckedRawframeDataset(CheckedListMixin, RawframeDataset):
    """mmaction2's ``RawframeDataset`` that checks its frames when loading.

    Takes every argument of ``RawframeDataset`` (``ann_file``, ``pipeline``,
    ``data_prefix=dict(img=...)``, ``filename_tmpl``, ``with_offset``, ...),
    plus ``skip_missing``, ``skip_corrupt`` and ``check_files`` as
    :class:`CheckedVideoDataset`. A frame folder counts as missing when it or
    its first or last frame (per ``total_frames``) does not exist; for
    ``modality='Flow'`` only the folder is checked.
    """

    _what = 'frame folder'
    _expected = ("'<frame folder> [<offset>] <total_frames> <label>' "
                 'per line')

    def _check_line(self, lineno: int, line: str) -> None:
        fields = line.strip().split()
        numbers = 2 if self.with_offset else 1
        if len(fields) < 1 + numbers:
            raise self._line_error(lineno, line, 'too few fields')
        for value in fields[1:]:
            try:
                int(value)
            except ValueError:
                raise self._line_error(lineno, line,
                                       f'{value!r} is not an integer')
        if not self.multi_class and len(fields) > 2 + numbers:
            raise self._line_error(lineno, line,
                                   'several labels but multi_class=False')

    def _missing(self, info: dict) -> Optional[str]:
        frame_dir = info['frame_dir']
        if not isdir(frame_dir):
            return f'{frame_dir!r} (no such folder)'
        if self.modality != 'RGB':
            return None  # flow templates take two fields; folder suffices
        first = info.get('offset', 0) + self.start_index
        last = first + info['total_frames'] - 1
        for index in (first, last):
            name = self.filename_tmpl.format(index)
            if not isfile(join_path(frame_dir, name)):
                return (f'{osp.join(frame_dir, name)!r} (no such frame; '
                        f'total_frames={info["total_frames"]})')
        return None
