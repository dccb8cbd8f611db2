"""Never write a checkpoint of a corrupted model."""
from mmengine.hooks import Hook

from mmkd_video.registry import HOOKS
from mmkd_video.utils import nonfinite_entries


@HOOKS.register_module()
class FiniteCheckpointHook(Hook):
    """Refuse to save while any parameter or buffer is NaN or infinite.

    Runs first in ``before_save_checkpoint``, so neither the checkpoint nor
    ``student_latest.pth`` (:class:`StudentExportHook`) is written; the
    previous checkpoint stays the newest one ``--resume`` finds. Covers
    models without the distiller's own guard (a teacher or a plain
    recognizer trained with our runtime) and anything the guard cannot see.

    Example:
        >>> default_hooks = dict(
        ...     finite_checkpoint=dict(type='FiniteCheckpointHook'))
    """

    priority = 'HIGHEST'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        bad = nonfinite_entries(checkpoint.get('state_dict', {}))
        if bad:
            raise FloatingPointError(
                f'refusing to save a checkpoint at epoch {runner.epoch + 1}, '
                f'iteration {runner.iter}: {len(bad)} parameters/buffers '
                f'hold NaN or inf (first: {bad[:3]}). The model is '
                'corrupted; the checkpoints already written are kept. Lower '
                "the learning rate, or set model.nonfinite='skip' on a "
                'distiller.')
