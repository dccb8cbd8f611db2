"""Write plain mmaction2 checkpoints of the student next to every save."""
import os.path as osp
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmkd_video.registry import HOOKS
from mmkd_video.utils.export import save_student_checkpoint


@HOOKS.register_module()
class StudentExportHook(Hook):
    """Keep ``student_latest.pth`` and ``student_best.pth`` in the work dir.

    ``student_latest.pth`` is rewritten whenever the runner saves a
    checkpoint; ``student_best.pth`` whenever the :class:`CheckpointHook`'s
    ``save_best`` metric improves (the hook runs after it). Both hold only the
    student's ``state_dict`` and plain ``meta``, loadable by mmaction2 alone.

    Args:
        drop_prefixes (tuple[str]): Student keys to leave out, e.g.
            ``('neck.',)`` for a student deployed without its GenKD attention.
        out_dir (str, optional): Defaults to the runner's work dir.

    Examples:
        >>> custom_hooks = [dict(type='StudentExportHook')]
    """

    # After CheckpointHook (VERY_LOW), so a best checkpoint saved in this
    # validation is already recorded in the message hub.
    priority = 'LOWEST'

    def __init__(self, drop_prefixes: tuple = (),
                 out_dir: Optional[str] = None) -> None:
        self.drop_prefixes = tuple(drop_prefixes)
        self.out_dir = out_dir
        self._best_seen = None

    def _save(self, runner, state_dict: dict, name: str, meta: dict) -> None:
        save_student_checkpoint(
            state_dict, osp.join(self.out_dir or runner.work_dir, name),
            meta, self.drop_prefixes)

    def before_train(self, runner) -> None:
        # after a resume the hub already names the best checkpoint: keep
        # student_best.pth until a better one is saved
        self._best_seen = runner.message_hub.get_info('best_ckpt')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        # mmengine has no after_save hook; the dict is complete here
        if runner.rank == 0:
            self._save(runner, checkpoint['state_dict'], 'student_latest.pth',
                       dict(epoch=runner.epoch, iter=runner.iter))

    def after_val_epoch(self, runner, metrics=None) -> None:
        best = runner.message_hub.get_info('best_ckpt')
        if runner.rank != 0 or not best or best == self._best_seen:
            return
        # The best checkpoint was just saved from the current weights.
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        self._save(runner, model.state_dict(), 'student_best.pth',
                   dict(best_ckpt=osp.basename(best), epoch=runner.epoch,
                        iter=runner.iter))
        self._best_seen = best
