"""A real Runner of the demo student on the tiny generated clips."""
import os.path as osp

from mmengine.config import Config
from mmengine.runner import Runner

from mmkd_video.utils import reroot_dataset_paths

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
STUDENT = 'configs/baselines/student_r3d18-w8_1xb8-8x2x1-20e_synthetic-rgb.py'


def student_runner(data_root, work_dir, epochs=1, lr=None, resume=False):
    """The demo student's config on ``data_root``: batches of 2, no
    workers, constant lr (``lr`` overrides it), in ``work_dir``."""
    cfg = Config.fromfile(osp.join(REPO, STUDENT))
    old_root = cfg.data_root
    cfg.data_root = data_root
    reroot_dataset_paths(cfg, old_root)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False,
                           batch_size=2)
    cfg.train_cfg.max_epochs = epochs
    cfg.param_scheduler = []
    if lr is not None:
        cfg.optim_wrapper.optimizer.lr = lr
    cfg.work_dir = str(work_dir)
    cfg.resume = resume
    cfg.model_wrapper_cfg = None
    cfg.experiment_name = f'{osp.basename(str(work_dir))}-{epochs}-{resume}'
    return Runner.from_cfg(cfg)
