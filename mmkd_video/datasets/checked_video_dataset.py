"""mmaction2's ``VideoDataset`` with up-front file, label and decoder checks.

Every listed video must exist (:class:`CheckedListMixin`) and decode once in
a child process (:mod:`.video_probe`), so a file that crashes the decoder in
native code is reported (or skipped) by name instead of ending the run.
"""
import logging
import os.path as osp
import time
from typing import List, Optional, Tuple

from mmaction.datasets import VideoDataset
from mmengine.fileio import isfile
from mmengine.logging import print_log

from mmkd_video.registry import DATASETS
from .checked_list import SHOWN, CheckedListMixin
from .file_errors import DataFileError
from .video_probe import DECODERS, decoder_of, probe_videos


@DATASETS.register_module()
class CheckedVideoDataset(CheckedListMixin, VideoDataset):
    """mmaction2's ``VideoDataset`` that checks its files when loading.

    Takes every argument of ``VideoDataset`` (``ann_file``, ``pipeline``,
    ``data_prefix=dict(video=...)``, ``data_root``, ...), plus:

    Args:
        skip_missing (bool): False (default) raises one FileNotFoundError
            listing the missing videos with their line numbers; True drops
            them, keeps their list in ``missing_entries`` and logs a warning.
        skip_corrupt (bool): False (default) raises one DataFileError
            naming a video that fails to open or decode; True (training sets
            only) logs it, counts it in ``num_corrupt_skipped`` and trains
            on another sample instead (a video that fails the decode probe
            is dropped when the dataset loads and counted there).
        check_files (bool): Check that every video exists. Set False for
            huge lists on slow storage. Defaults to True.
        probe_decode (bool): Decode every listed local video once, in child
            processes, with the decoder of the pipeline's ``DecordInit`` /
            ``OpenCVInit`` / ``PyAVInit``, before the dataset is used (see
            :mod:`~mmkd_video.datasets.video_probe`): a file that crashes the
            decoder in native code (SIGSEGV) then gives one DataFileError
            naming it, or is skipped with ``skip_corrupt=True``, instead of
            killing the run. Results are cached per file (path, size,
            mtime). Defaults to True.
        probe_cache (str | None): Cache file of the probe; ``'auto'``
            (default) is ``$MMKD_CACHE_DIR/video_probe.json``, by default
            under ``~/.cache/mmkd_video``; None caches in memory only.
        probe_workers (int | None): Child processes decoding at once.
            Defaults to ``min(4, cpu count)``.
    """

    _what = 'video'
    _expected = "'<video path> <label>' per line"

    def __init__(self, *args, probe_decode: bool = True,
                 probe_cache: Optional[str] = 'auto',
                 probe_workers: Optional[int] = None, **kwargs) -> None:
        self.probe_decode = probe_decode
        self.probe_cache = probe_cache
        self.probe_workers = probe_workers
        self.corrupt_entries: List[Tuple[Optional[int], str, str]] = []
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Load and check the list, then probe-decode its videos.

        Returns:
            list[dict]: The entries whose videos exist and decode.

        Raises:
            DataFileError: If a video fails the decode probe and
                ``skip_corrupt`` is False (or every video fails).
        """
        data_list = super().load_data_list()
        decoder = decoder_of(self.pipeline.transforms)
        if not (self.probe_decode and decoder):
            return data_list
        local = [info['filename'] for info in data_list
                 if '://' not in info['filename']
                 and osp.isfile(info['filename'])]
        start = time.monotonic()
        reasons = probe_videos(local, decoder, cache_file=self.probe_cache,
                               workers=self.probe_workers)
        seconds = time.monotonic() - start
        if seconds > 5:
            print_log(
                f'{type(self).__name__}: decoded {len(local)} videos of '
                f'{self.ann_file!r} with {decoder} in child processes in '
                f'{seconds:.0f} s (once; the result is cached per file)',
                logger='current', level=logging.INFO)
        kept, kept_lines, self.corrupt_entries = [], [], []
        for (lineno, entry), info in zip(self._kept_lines, data_list):
            reason = reasons.get(info['filename'])
            if reason is None:
                kept.append(info)
                kept_lines.append((lineno, entry))
            else:
                self.corrupt_entries.append(
                    (lineno, entry, f'{info["filename"]!r} ({reason})'))
        self._kept_lines = kept_lines
        if not self.corrupt_entries:
            return data_list
        if not self.skip_corrupt or not kept:
            raise DataFileError(
                self._corrupt_message(decoder, len(data_list)),
                in_loading_step=True)
        self.num_corrupt_skipped += len(self.corrupt_entries)
        print_log(self._corrupt_message(decoder, len(data_list), True),
                  logger='current', level=logging.WARNING)
        return kept

    def _corrupt_message(self, decoder: str, total: int,
                         skipped: bool = False) -> str:
        init = {v: k for k, v in DECODERS.items()}[decoder]
        shown = '\n'.join(
            f'  line {lineno}: {entry!r} -> {reason}'
            for lineno, entry, reason in self.corrupt_entries[:SHOWN])
        more = len(self.corrupt_entries) - SHOWN
        if more > 0:
            shown += f'\n  ... and {more} more'
        head = (f'{type(self).__name__}: {len(self.corrupt_entries)} of '
                f'{total} videos of annotation file {self.ann_file!r}')
        how = (f'each decoded in a child process with {decoder}, as the '
               f"pipeline's {init} does")
        if skipped:
            return (f'{head} were skipped (skip_corrupt=True) because they '
                    f'do not decode ({how}):\n{shown}')
        return (
            f'{head} do not decode ({how}):\n{shown}\n(data_root='
            f'{self.data_root!r}). The files are probably corrupt or '
            'truncated: re-encode or regenerate them, or remove their lines '
            'from the annotation file, or set skip_corrupt=True in a '
            'training dataset to skip and count them.')

    def _check_line(self, lineno: int, line: str) -> None:
        fields = line.strip().split(self.delimiter)
        labels = fields[1:]
        if not self.multi_class and len(fields) > 2:
            raise self._line_error(
                lineno, line, f'{len(fields)} fields split by '
                f'{self.delimiter!r}, at most 2 expected')
        for label in labels:
            try:
                int(label)
            except ValueError:
                raise self._line_error(lineno, line,
                                       f'label {label!r} is not an integer')

    def _missing(self, info: dict) -> Optional[str]:
        if isfile(info['filename']):
            return None
        return f'{info["filename"]!r} (no such file)'
