"""The file checks shared by our checked mmaction2 datasets.

Stock ``VideoDataset``/``RawframeDataset`` trust their annotation file: a
line pointing nowhere (wrong ``data_root``, a deleted clip, a blank line)
surfaces later as an obscure decord or OpenCV error in a DataLoader worker.
The subclasses (:class:`CheckedVideoDataset`,
:class:`CheckedRawframeDataset`) check every line when the annotation file
is loaded and raise one error naming the annotation file, the line and the
missing path, or, with ``skip_missing=True``, drop such lines and log how
many. Each
sample's pipeline also runs through :func:`apply_transforms`, so a corrupt
file fails with an error naming it, or, with ``skip_corrupt=True`` (training
sets), is logged, counted and replaced by another sample. Before that,
``CheckedVideoDataset`` decodes each video once in a child process
(:mod:`.video_probe`), so that a file that crashes the decoder in native code
is reported (or skipped) by name instead of ending the run. Labels outside
``[0, num_classes)`` and empty lists fail at load with the file and line.
Parsing stays mmaction2's own; the type names
``VideoDataset``/``RawframeDataset`` keep meaning mmaction2's classes.
"""
import logging
from typing import List, Optional, Tuple

from mmengine.fileio import exists, list_from_file
from mmengine.logging import print_log

from .file_errors import DataFileError, apply_transforms

SHOWN = 5  # missing entries quoted in one message


class CheckedListMixin:
    """Adds line checks, file checks and file-naming errors to a dataset.

    Subclasses give ``_what`` (for messages) and implement ``_check_line``
    and ``_missing``.
    """

    _what = 'file'
    _expected = 'one entry per line'

    def __init__(self, *args, skip_missing: bool = False,
                 skip_corrupt: bool = False, check_files: bool = True,
                 **kwargs) -> None:
        # Set before super().__init__, which may load the annotations.
        self.skip_missing = skip_missing
        self.skip_corrupt = skip_corrupt
        self.check_files = check_files
        self.missing_entries: List[Tuple[Optional[int], str, str]] = []
        self.num_corrupt_skipped = 0  # in this process (each worker counts)
        if skip_corrupt and kwargs.get('test_mode', False):
            # before loading: no decode probe for a dataset that cannot run
            raise self._skip_in_test_mode_error(kwargs.get('ann_file'))
        super().__init__(*args, **kwargs)
        if skip_corrupt and self.test_mode:  # test_mode given positionally
            raise self._skip_in_test_mode_error(self.ann_file)

    def _skip_in_test_mode_error(self, ann_file: str) -> ValueError:
        return ValueError(
            f'{type(self).__name__}: skip_corrupt=True is for training '
            'sets only: mmengine cannot drop a test-mode sample, and '
            'scores over a set with silently missing clips would not be '
            f'comparable. Fix or remove the bad files of {ann_file!r}.')

    @property
    def num_missing(self) -> int:
        """Entries dropped because their files are missing."""
        return len(self.missing_entries)

    def _line_error(self, lineno: int, line: str, problem: str) -> ValueError:
        return ValueError(
            f'{type(self).__name__}: line {lineno} of annotation file '
            f'{self.ann_file!r} is malformed ({problem}): {line!r}. '
            f'Expected {self._expected}.')

    def _check_line(self, lineno: int, line: str) -> None:
        raise NotImplementedError

    def _missing(self, info: dict) -> Optional[str]:
        """Why ``info``'s data is unusable, or None when it is there."""
        raise NotImplementedError

    def load_data_list(self) -> List[dict]:
        """Load the annotation file with mmaction2's parser, then check it.

        Returns:
            list[dict]: The entries whose files exist.

        Raises:
            FileNotFoundError: If the annotation file is missing, or if some
                entries point to missing files and ``skip_missing`` is False
                (or all of them do).
            ValueError: If a line is malformed.
        """
        if not exists(self.ann_file):
            raise FileNotFoundError(
                f'{type(self).__name__}: annotation file {self.ann_file!r} '
                f'does not exist (data_root={self.data_root!r}). Set '
                'data_root/ann_file to the dataset, or generate the '
                'synthetic one with tools/data/generate_synthetic.py.')
        lines = list_from_file(self.ann_file)
        if not lines:
            raise ValueError(
                f'{type(self).__name__}: annotation file {self.ann_file!r} '
                f'is empty. Expected {self._expected}; regenerate it or '
                'point ann_file at the right list.')
        for lineno, line in enumerate(lines, start=1):
            if not line.strip():
                raise self._line_error(lineno, line, 'empty line')
            self._check_line(lineno, line)
        data_list = super().load_data_list()
        # The parents emit one entry per line, in order; if that ever
        # changes, report without line numbers rather than wrong ones.
        linenos = (list(range(1, len(lines) + 1)) if len(lines) == len(
            data_list) else [None] * len(data_list))
        self._line_labels = [
            (lineno, lines[lineno - 1].strip() if lineno else '?',
             info.get('label')) for lineno, info in zip(linenos, data_list)]
        self.check_labels(getattr(self, 'num_classes', None))
        self._kept_lines = [(lineno, lines[lineno - 1].strip() if lineno
                             else '?') for lineno in linenos]
        if not self.check_files:
            return data_list
        kept, self.missing_entries, self._kept_lines = [], [], []
        for lineno, info in zip(linenos, data_list):
            problem = self._missing(info)
            entry = lines[lineno - 1].strip() if lineno else '?'
            if problem is None:
                kept.append(info)
                self._kept_lines.append((lineno, entry))
            else:
                self.missing_entries.append((lineno, entry, problem))
        if self.missing_entries:
            if not self.skip_missing or not kept:
                raise FileNotFoundError(self._missing_message(len(lines)))
            print_log(
                self._missing_message(len(lines), skipped=True),
                logger='current', level=logging.WARNING)
        return kept

    def check_labels(self, num_classes: Optional[int]) -> None:
        """Raise one error for the first label outside ``[0, num_classes)``.

        Runs when the list loads, with the dataset's ``num_classes``
        (mmaction2's argument; without it only negative labels fail). Call
        it again with the model head's class count to check the list
        against the model. Without this a label >= num_classes fails only
        inside the loss ("Target 99 is out of bounds"), naming nothing.

        Args:
            num_classes (int | None): Class count; None checks >= 0 only.

        Raises:
            ValueError: Naming the annotation file, line, label and
                ``num_classes``.
        """
        for lineno, entry, labels in getattr(self, '_line_labels', []):
            labels = labels if isinstance(labels, (list, tuple)) else [labels]
            for label in labels:
                if label is None or (0 <= label and (
                        num_classes is None or label < num_classes)):
                    continue
                where = (f'line {lineno} of annotation file '
                         f'{self.ann_file!r} ({entry!r})' if lineno else
                         f'annotation file {self.ann_file!r}')
                allowed = ('labels must be >= 0' if num_classes is None else
                           f'labels must be in 0..{num_classes - 1}')
                raise ValueError(
                    f'{type(self).__name__}: {where} has label {label}, but '
                    f'num_classes={num_classes} ({allowed}). Fix the list, '
                    'or set num_classes of the dataset and of the model head '
                    'to the real class count.')

    def _missing_message(self, total: int, skipped: bool = False) -> str:
        shown = '\n'.join(
            f'  line {lineno}: {entry!r} -> {problem}'
            for lineno, entry, problem in self.missing_entries[:SHOWN])
        more = len(self.missing_entries) - SHOWN
        if more > 0:
            shown += f'\n  ... and {more} more'
        head = (f'{type(self).__name__}: {len(self.missing_entries)} of '
                f'{total} entries of annotation file {self.ann_file!r}')
        if skipped:
            return (f'{head} were skipped (skip_missing=True) because their '
                    f'{self._what}s are missing:\n{shown}')
        return (
            f'{head} point to missing {self._what}s:\n{shown}\n'
            f'(data_root={self.data_root!r}, '
            f'data_prefix={dict(self.data_prefix)!r}). Fix: make data_root '
            '(or data_prefix) the folder these paths are relative to, e.g. '
            '--cfg-options train_dataloader.dataset.data_root=DIR; or '
            'regenerate the data (tools/data/generate_synthetic.py); or set '
            'skip_missing=True in the dataset config to skip and count them.')

    def prepare_data(self, idx: int):
        """Run the pipeline on sample ``idx``; errors name its file.

        Args:
            idx (int): Sample index.

        Returns:
            Any: Output of the pipeline (None if a step returned None).
        """
        try:
            return apply_transforms(
                self.pipeline.transforms, self.get_data_info(idx),
                context=f' (sample {idx} of {self.ann_file!r})')
        except DataFileError as error:
            if not (self.skip_corrupt and error.in_loading_step):
                raise
            # None makes mmengine's BaseDataset draw another sample
            self.num_corrupt_skipped += 1
            print_log(f'{error} -> skipped (skip_corrupt=True; '
                      f'{self.num_corrupt_skipped} skipped so far in this '
                      'process)', logger='current', level=logging.WARNING)
            return None
