"""GenKD phase 2 wired from its real config: who gets gradients in which step."""
import os.path as osp

import pytest
import torch
from grad_recording import record_backward_grads
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.logging import MessageHub

from mmengine.optim import OptimWrapperDict, build_optim_wrapper
from mmkd_video.models.method_generator import (method_generator_states,
                                                set_method_generator_states)
from mmkd_video.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__))))
PHASE1 = osp.join(REPO, 'configs/genkd/'
                  'genkd-phase1_r3d18-w32_1xb8-8x2x1-6e_synthetic-rgb.py')
PHASE2 = osp.join(REPO, 'configs/genkd/genkd-phase2_r3d18-w32-to-w8_'
                  '1xb8-8x2x1-20e_synthetic-rgb.py')
TEACHER_WITH_NECK = osp.join(REPO, 'configs/_base_/models/'
                             'demo_teacher_r3d18_genkd.py')


def clips(n=2):
    inputs = [torch.randint(0, 255, (1, 3, 8, 64, 64), dtype=torch.uint8)
              for _ in range(n)]
    return dict(inputs=inputs,
                data_samples=[ActionDataSample().set_gt_label(i)
                              for i in range(n)])


@pytest.fixture
def phase2(tmp_path):
    torch.manual_seed(0)
    teacher = MODELS.build(Config.fromfile(TEACHER_WITH_NECK).model)
    ckpt = tmp_path / 'phase1_student_latest.pth'
    torch.save(dict(state_dict=teacher.state_dict()), ckpt)
    cfg = Config.fromfile(PHASE2)
    cfg.model.teacher_ckpt = str(ckpt)
    model = MODELS.build(cfg.model)
    # the Runner's own path: constructor looked up in the registry
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    assert isinstance(optim, OptimWrapperDict)
    return model, optim


def test_each_genkd_step_moves_only_its_own_parameters(phase2):
    model, optim = phase2
    seen = record_backward_grads(model, optim)
    model.train()
    log_vars = model.train_step(clips(), optim)
    for key in ('loss_cls', 'loss_cvae', 'loss_gd', 'loss_rec', 'loss_ad'):
        assert key in log_vars and torch.isfinite(log_vars[key]), key

    cvae_step, network_step = seen['cvae'], seen['network']
    assert cvae_step and all(
        n.startswith('student.neck.head.cvae.') for n in cvae_step)
    assert not any(n.startswith('teacher.') for n in cvae_step | network_step)
    assert not any('.cvae.' in n for n in network_step)
    for part in ('student.backbone.', 'student.neck.proj.',
                 'student.neck.head.attention_branch.', 'student.cls_head.'):
        assert any(n.startswith(part) for n in network_step), part


def test_reconstruction_ramp_counts_epochs_from_one(phase2):
    # official 0.5 * min(epoch, 20) / 20 with epochs from 1; the demo's
    # 2-epoch ramp: half the weight in the first (0-based 0) epoch, then all
    model, _ = phase2
    hub = MessageHub.get_current_instance()
    rec = {}
    noise = method_generator_states(model)  # the CVAE's own stream
    for epoch in (0, 1, 2):
        hub.update_info('epoch', epoch)
        # the same prior sample (and dropout mask) for each epoch
        torch.manual_seed(0)
        set_method_generator_states(model, noise)
        rec[epoch] = model(**model.data_preprocessor(clips()),
                           mode='loss')['loss_rec']
    hub.update_info('epoch', 0)
    assert rec[1] > 0
    torch.testing.assert_close(rec[0], 0.5 * rec[1])
    torch.testing.assert_close(rec[2], rec[1])


def test_phase2_without_phase1_checkpoint_fails_clearly(tmp_path):
    cfg = Config.fromfile(PHASE2)
    cfg.model.teacher_ckpt = str(tmp_path / 'genkd_phase1/student_latest.pth')
    with pytest.raises(FileNotFoundError, match='genkd_phase1'):
        MODELS.build(cfg.model)


def test_phase2_with_a_teacher_lacking_the_neck_fails_clearly(tmp_path):
    plain = Config.fromfile(TEACHER_WITH_NECK).model
    plain.pop('neck')
    ckpt = tmp_path / 'teacher.pth'
    torch.save(dict(state_dict=MODELS.build(plain).state_dict()), ckpt)
    cfg = Config.fromfile(PHASE2)
    cfg.model.teacher_ckpt = str(ckpt)
    with pytest.raises(ValueError, match='missing.*neck'):
        MODELS.build(cfg.model)


def test_head_on_missing_layer_fails_clearly(tmp_path):
    cfg = Config.fromfile(PHASE1)
    cfg.model.student_ckpt = None
    cfg.model.student_recorders.feat.module = 'neck.feature_tapp'
    with pytest.raises(AttributeError, match='neck.feature_tap'):
        MODELS.build(cfg.model)
