"""Turn a failure inside a data pipeline into one error naming the file.

mmaction2's loaders hand decord a ``BytesIO`` of the file, so a corrupt or
truncated video fails deep in a DataLoader worker with a decord message that
never says which file it was. :func:`apply_transforms` runs a pipeline step
by step and re-raises any failure as :class:`DataFileError` with the file,
the step and the original error; the checked datasets use it for every
sample, and :class:`ReportFileErrors` offers it to plain mmaction2 datasets.
"""
from typing import Callable, List, Optional, Sequence, Union

from mmcv.transforms import BaseTransform
from mmengine.dataset import Compose

from mmkd_video.registry import TRANSFORMS

# Keys under which mmaction2's datasets put the source of a sample.
_SOURCE_KEYS = ('filename', 'frame_dir', 'audio_path', 'img_path')


class DataFileError(RuntimeError):
    """A pipeline step failed on one data file; the message names it.

    Args:
        message (str): What failed, naming the file and the fix.
        in_loading_step (bool): True when the failing step reads or decodes
            the file (``*Init``, ``*Decode``, ``Load*``): the file itself is
            bad. Defaults to False.
    """

    def __init__(self, message: str, in_loading_step: bool = False) -> None:
        super().__init__(message)
        self.in_loading_step = in_loading_step


def describe_source(results: dict) -> str:
    """The file (or frame folder) a sample comes from, for messages.

    Args:
        results (dict): Sample dict as produced by a dataset.

    Returns:
        str: e.g. ``"video '/data/ucf101/videos/A/v_A_g01_c01.avi'"``.
    """
    for key in _SOURCE_KEYS:
        if results.get(key):
            what = 'frame folder' if key == 'frame_dir' else 'file'
            return f'{what} {results[key]!r}'
    return 'a sample without a file name'


def _is_loading_step(transform: Callable) -> bool:
    name = type(transform).__name__
    return name.endswith(('Init', 'Decode')) or name.startswith('Load')


def apply_transforms(transforms: Sequence[Callable], results: dict,
                     context: str = '') -> Optional[dict]:
    """Run ``transforms`` as mmengine's ``Compose``; errors name the file.

    Args:
        transforms (Sequence[Callable]): Built transforms.
        results (dict): Sample dict (must still hold ``filename`` or
            ``frame_dir``; it is read before the first step).
        context (str): Extra words for the message, e.g. the dataset index.
            Defaults to ''.

    Returns:
        dict | None: The transformed sample; None when a step returned None
        (the dataset then picks another sample, as with ``Compose``).

    Raises:
        DataFileError: When any step raises; chained to the original error.
    """
    source = describe_source(results)
    for transform in transforms:
        try:
            results = transform(results)
        except DataFileError:
            raise  # already names its file (nested wrappers)
        except Exception as exc:
            reason = str(exc).rstrip('. ')
            message = (f'{type(transform).__name__} failed on {source}'
                       f'{context}: {type(exc).__name__}: {reason}')
            loading = _is_loading_step(transform)
            if loading:
                message += (
                    '. The file is probably corrupt, truncated or in a '
                    'format the decoder cannot read: re-encode or regenerate '
                    'it, or remove its line from the annotation file (or set '
                    'skip_corrupt=True in a Checked* training dataset to '
                    'skip and count such files).')
            raise DataFileError(message, loading) from exc
        if results is None:
            return None
    return results


@TRANSFORMS.register_module()
class ReportFileErrors(BaseTransform):
    """Wrap pipeline steps so that a failure names the file it failed on.

    For plain mmaction2 datasets; ``CheckedVideoDataset`` and
    ``CheckedRawframeDataset`` already do this for their whole pipeline.

    Example:
        >>> pipeline = [
        ...     dict(type='ReportFileErrors', transforms=[
        ...         dict(type='DecordInit'),
        ...         dict(type='SampleFrames', clip_len=8, num_clips=1),
        ...         dict(type='DecordDecode')]),
        ...     dict(type='Resize', scale=(-1, 64)), ...]

    Args:
        transforms (list[dict | Callable]): The steps to guard.
    """

    def __init__(self, transforms: List[Union[dict, Callable]]) -> None:
        self.transforms = Compose(transforms).transforms

    def transform(self, results: dict) -> Optional[dict]:
        """Apply the wrapped steps.

        Args:
            results (dict): Sample dict.

        Returns:
            dict | None: The transformed sample.
        """
        return apply_transforms(self.transforms, results)

    def __repr__(self) -> str:
        inner = ', '.join(type(t).__name__ for t in self.transforms)
        return f'{type(self).__name__}(transforms=[{inner}])'
