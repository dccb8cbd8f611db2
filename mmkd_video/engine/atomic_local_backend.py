"""A local file backend whose writes are atomic, for checkpoints."""
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

from mmkd_video.utils import write_atomically


@register_backend('atomic_local')
class AtomicLocalBackend(LocalBackend):
    """mmengine's ``LocalBackend`` with ``put``/``put_text`` through a
    temporary file and a rename (:func:`write_atomically`).

    ``LocalBackend.put`` opens the target with ``'wb'``: a save that is
    killed, or a full disk, leaves a truncated ``epoch_N.pth`` in place of
    nothing. Selected by ``backend_args=dict(backend='atomic_local')`` on
    the ``CheckpointHook``, as our default runtime does.
    """

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        write_atomically(str(filepath), obj)

    def put_text(self, obj: str, filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        write_atomically(str(filepath), obj.encode(encoding))
