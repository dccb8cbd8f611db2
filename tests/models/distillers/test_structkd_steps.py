"""StructKD Pi+Pa+Ho wired from its real config: generator vs critic steps."""
import os.path as osp

import pytest
import torch
from grad_recording import record_backward_grads
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmkd_video.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__))))
CONFIG = osp.join(REPO, 'configs/structkd/structkd-pi-pa-ho_r3d18-w32-to-w8_'
                  '1xb8-8x2x1-20e_synthetic-rgb.py')
TEACHER = osp.join(REPO, 'configs/_base_/models/demo_teacher_r3d18.py')


def clips(n=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    inputs = [torch.randint(0, 255, (1, 3, 8, 64, 64), dtype=torch.uint8,
                            generator=g) for _ in range(n)]
    return dict(inputs=inputs,
                data_samples=[ActionDataSample().set_gt_label(i)
                              for i in range(n)])


@pytest.fixture
def structkd(tmp_path):
    torch.manual_seed(0)
    ckpt = tmp_path / 'teacher.pth'
    torch.save(dict(state_dict=MODELS.build(
        Config.fromfile(TEACHER).model).state_dict()), ckpt)
    cfg = Config.fromfile(CONFIG)
    cfg.model.teacher_ckpt = str(ckpt)
    model = MODELS.build(cfg.model)
    return model, build_optim_wrapper(model, cfg.optim_wrapper)


def snapshot(module):
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def changed(module, before):
    return {k for k, v in module.named_parameters()
            if not torch.equal(v, before[k])}


def test_generator_and_critic_steps_move_only_their_parameters(structkd):
    model, optim = structkd
    model.train()
    critic = model.distill_losses.ho.discriminator
    s0, d0 = snapshot(model.student), snapshot(critic)
    log_vars = model.train_step(clips(), optim)
    for key in ('loss_cls', 'loss_pi', 'loss_pa', 'loss_adv_g',
                'loss_adv_d', 'loss_gp'):
        assert key in log_vars and torch.isfinite(log_vars[key]), key
    assert changed(model.student, s0), 'student did not learn'
    assert changed(critic, d0), 'critic did not learn'
    assert not any(p.requires_grad for p in model.teacher.parameters())


def test_critic_gradients_come_only_from_its_own_step(structkd):
    model, optim = structkd
    model.train()
    critic = 'distill_losses.ho.discriminator.'
    seen = record_backward_grads(model, optim)
    model.train_step(clips(), optim)
    assert seen['student'] and not any(critic in n for n in seen['student'])
    assert seen['discriminator'] and all(critic in n
                                         for n in seen['discriminator'])


def test_holistic_run_stays_finite(structkd):
    model, optim = structkd
    model.train()
    for i in range(3):
        log_vars = model.train_step(clips(seed=i), optim)
        assert all(torch.isfinite(v) for v in log_vars.values()), log_vars


@pytest.mark.parametrize('once_per_iter', [True, False])
def test_critic_scores_the_generator_steps_student_map(structkd,
                                                       once_per_iter):
    # official: the critic sees the student prediction of the forward the
    # generator step used, not one recomputed with the updated classifier.
    # Optimizers step after every backward pass, so a recomputed map is
    # that same map; once_per_iter only saves computing it again.
    model, optim = structkd
    model.train()
    model.derived['s_map']['once_per_iter'] = once_per_iter
    ho = model.distill_losses.ho
    seen = {}
    forward, critic_loss = ho.forward, ho.discriminator_loss

    def generator(preds_S, preds_T):
        seen['generator'] = preds_S.detach().clone()
        assert preds_S.requires_grad  # the student step trains through it
        return forward(preds_S, preds_T)

    def critic(preds_S, preds_T):
        seen['critic'] = preds_S
        return critic_loss(preds_S, preds_T)
    ho.forward, ho.discriminator_loss = generator, critic
    fc_before = model.student.cls_head.fc_cls.weight.detach().clone()
    model.train_step(clips(), optim)
    assert not seen['critic'].requires_grad
    assert torch.equal(seen['critic'], seen['generator'])
    # and the student step did move the classifier the map comes from
    assert not torch.equal(model.student.cls_head.fc_cls.weight, fc_before)
