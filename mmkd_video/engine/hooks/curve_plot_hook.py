"""Training curves as a picture in the work dir, updated as training runs."""
import os.path as osp
from typing import List, Optional

from mmengine.dist import master_only
from mmengine.hooks import Hook

from mmkd_video.registry import HOOKS


@HOOKS.register_module()
class CurvePlotHook(Hook):
    """Write ``curves.png`` (training losses, validation metrics) to the
    work dir after every validation and at the end of training.

    The values are the runner's message hub histories (``train/loss*`` per
    iteration, ``val/*`` per validation), which checkpoints carry, so a
    resumed run draws its whole history. TensorBoard users can add
    ``dict(type='TensorboardVisBackend')`` to ``vis_backends`` instead.

    Args:
        filename (str): Picture name in the work dir. Defaults to
            ``'curves.png'``.
        losses (list[str], optional): Training scalars to draw; default:
            every ``train/loss*``.

    Examples:
        >>> default_hooks = dict(curves=dict(type='CurvePlotHook'))
    """

    priority = 'LOWEST'

    def __init__(self, filename: str = 'curves.png',
                 losses: Optional[List[str]] = None) -> None:
        self.filename = filename
        self.losses = losses

    def after_val_epoch(self, runner, metrics=None) -> None:
        self.plot(runner)

    def after_train(self, runner) -> None:
        self.plot(runner)

    @master_only
    def plot(self, runner) -> Optional[str]:
        import matplotlib
        matplotlib.use('Agg')  # no display needed
        import matplotlib.pyplot as plt

        scalars = runner.message_hub.log_scalars
        losses = self.losses or sorted(
            k for k in scalars if k.startswith('train/loss'))
        metrics = sorted(k for k in scalars if k.startswith('val/')
                         and not k.startswith('val/time'))
        if not losses and not metrics:
            return None
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for key in losses:
            values = scalars[key].data[0]
            axes[0].plot(range(1, len(values) + 1), values,
                         label=key[len('train/'):], linewidth=1)
        axes[0].set(title='training losses', xlabel='iteration')
        for key in metrics:
            values = scalars[key].data[0]
            axes[1].plot(range(1, len(values) + 1), values, marker='o',
                         label=key[len('val/'):])
        axes[1].set(title='validation', xlabel='validation round')
        for ax in axes:
            if ax.lines:
                ax.legend(fontsize=7)
            ax.grid(alpha=0.3)
        fig.tight_layout()
        path = osp.join(runner.work_dir, self.filename)
        fig.savefig(path, dpi=80)
        plt.close(fig)
        return path
