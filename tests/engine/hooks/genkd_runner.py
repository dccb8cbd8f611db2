"""A real Runner of GenKD phase 2 on the demo pair, on tiny generated clips
(a random teacher: enough to test mechanics, not results)."""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmkd_video.registry import MODELS
from mmkd_video.utils import reroot_dataset_paths

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
PHASE2 = ('configs/genkd/'
          'genkd-phase2_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py')
TEACHER = 'configs/_base_/models/demo_teacher_r3d18_genkd.py'


def random_teacher_checkpoint(folder) -> str:
    """The demo GenKD teacher with seeded random weights, saved once."""
    path = osp.join(str(folder), 'random_genkd_teacher.pth')
    if not osp.exists(path):
        with torch.random.fork_rng():
            torch.manual_seed(0)
            model = MODELS.build(Config.fromfile(
                osp.join(REPO, TEACHER)).model)
        torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def genkd_runner(data_root, work_dir, teacher_ckpt, epochs=1, resume=False,
                 custom_hooks=(), val=False):
    """GenKD phase 2 (both optimizers, CVAE noise, dropout, crops, flips):
    batches of 2, no workers, logging every iteration, in ``work_dir``."""
    cfg = Config.fromfile(osp.join(REPO, PHASE2))
    old_root = cfg.data_root
    cfg.data_root = data_root
    reroot_dataset_paths(cfg, old_root)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(num_workers=0, persistent_workers=False,
                           batch_size=2)
    cfg.model.teacher_ckpt = teacher_ckpt
    cfg.train_cfg.max_epochs = epochs
    cfg.train_cfg.val_interval = 1 if val else epochs + 1
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint.save_best = None
    cfg.default_hooks.checkpoint.max_keep_ckpts = -1
    cfg.custom_hooks = [h for h in cfg.custom_hooks
                        if h['type'] != 'TeacherValHook'] + list(custom_hooks)
    cfg.work_dir = str(work_dir)
    cfg.resume = resume
    cfg.model_wrapper_cfg = None
    cfg.experiment_name = f'{osp.basename(str(work_dir))}-{epochs}-{resume}'
    return Runner.from_cfg(cfg)
