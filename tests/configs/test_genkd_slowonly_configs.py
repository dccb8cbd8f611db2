"""The mmaction2-native GenKD pair (SlowOnly-R50 -> R18) configs build."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmkd_video.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PHASE1 = 'configs/genkd/genkd-phase1_slowonly-r50_8xb16-8x8x1-20e_kinetics400-rgb.py'
PHASE2 = ['configs/genkd/genkd-phase2_slowonly-r50-to-r18_8xb16-8x8x1-100e_'
          'kinetics400-rgb.py',
          'configs/genkd/genkd-phase2_slowonly-r50-to-r18_8xb16-8x8x1-50e_'
          'ucf101-split1-rgb.py']


def no_download(model_cfg):
    model_cfg.backbone.pretrained = None
    return model_cfg


@pytest.mark.parametrize('path,classes', [(PHASE2[0], 400),
                                          (PHASE2[1], 101)])
def test_phase2_builds_and_step_shapes_match(path, classes, tmp_path):
    cfg = Config.fromfile(osp.join(REPO, path))
    teacher_cfg = Config.fromfile(cfg.model.teacher).model
    teacher = MODELS.build(no_download(teacher_cfg))
    ckpt = tmp_path / 'phase1.pth'
    torch.save(dict(state_dict=teacher.state_dict()), ckpt)
    student_cfg = no_download(Config.fromfile(cfg.model.student).model)
    cfg.model.student = student_cfg
    cfg.model.teacher = teacher
    cfg.model.teacher_ckpt = None  # given built
    model = MODELS.build(cfg.model)
    assert model.student.cls_head.num_classes == classes
    # a short clip through the whole iteration: shapes agree end to end
    x = torch.randn(1, 1, 3, 8, 224, 224)
    from mmaction.structures import ActionDataSample
    losses = model(x, [ActionDataSample().set_gt_label(0)], mode='loss')
    for key in ('loss_cls', 'loss_cvae', 'loss_gd', 'loss_ad', 'loss_rec'):
        assert torch.isfinite(losses[key]), key
    assert cfg.train_dataloader.dataset.pipeline[1]['clip_len'] == 8


def test_phase1_parses_with_frozen_backbone():
    cfg = Config.fromfile(osp.join(REPO, PHASE1))
    assert cfg.model.frozen_modules == ['student.backbone']
    assert cfg.optim_wrapper.cvae.optimizer.lr == 1e-4
