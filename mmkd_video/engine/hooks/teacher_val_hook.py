"""Evaluate the frozen teacher once, with the config's own val evaluator."""
import torch
from mmengine.evaluator import Evaluator
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmkd_video.registry import HOOKS


@HOOKS.register_module()
class TeacherValHook(Hook):
    """Before training, run the teacher over the val set once and log its
    metrics as ``teacher/<metric>`` (e.g. ``teacher/acc/top1``).

    The teacher is frozen, so one evaluation is its accuracy for the whole
    run; it tells at a glance what the student is distilled from. Uses
    ``runner.val_dataloader`` and a fresh evaluator built from the config's
    ``val_evaluator`` (mmaction2's ``AccMetric`` for recognition).

    Examples:
        >>> custom_hooks = [dict(type='TeacherValHook')]
    """

    priority = 'LOW'

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        if getattr(model, 'teacher', None) is None or \
                runner.cfg.get('val_evaluator') is None:
            return
        evaluator = Evaluator(runner.cfg.val_evaluator) \
            if not isinstance(runner.cfg.val_evaluator, list) \
            else Evaluator(list(runner.cfg.val_evaluator))
        evaluator.dataset_meta = runner.val_dataloader.dataset.metainfo
        for data in runner.val_dataloader:
            data = model.data_preprocessor(data, False)
            with torch.no_grad():
                outputs = model.teacher(data['inputs'], data['data_samples'],
                                        mode='predict')
            evaluator.process(data_samples=outputs, data_batch=data)
        metrics = evaluator.evaluate(len(runner.val_dataloader.dataset))
        for key, value in metrics.items():
            runner.message_hub.update_info(f'teacher/{key}', value)
            runner.visualizer.add_scalar(f'teacher/{key}', value, step=0)
        runner.logger.info('teacher: ' + '  '.join(
            f'{k}: {v:.4f}' for k, v in metrics.items()))
