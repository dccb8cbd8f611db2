"""DistillDiagnosticsHook: per-term gradient ratios and GenKD's attention
spread in the scalars, and a training result the hook does not change.
Real Runners of GenKD phase 2 on generated clips."""
import json
import os
import os.path as osp

import pytest
import torch
from genkd_runner import genkd_runner, random_teacher_checkpoint

from mmkd_video.engine.hooks import DistillDiagnosticsHook
from mmkd_video.models.method_generator import (method_generator_states,
                                                set_method_generator_states)

HOOK = dict(type='DistillDiagnosticsHook', interval=1)


def scalars(work_dir):
    [run] = [d for d in sorted(os.listdir(work_dir))
             if osp.isdir(osp.join(work_dir, d, 'vis_data'))]
    with open(osp.join(work_dir, run, 'vis_data', 'scalars.json')) as f:
        return [json.loads(line) for line in f]


def test_hook_logs_terms_and_leaves_training_unchanged(tiny_clips, tmp_path):
    teacher = random_teacher_checkpoint(tmp_path)
    plain = genkd_runner(tiny_clips, tmp_path / 'plain', teacher, val=True)
    plain.train()
    diag = genkd_runner(tiny_clips, tmp_path / 'diag', teacher, val=True,
                        custom_hooks=[HOOK])
    diag.train()

    # bit-identical weights, buffers and logged losses: the extra forward
    # and backward passes touched no random stream, buffer or .grad
    a, b = plain.model.state_dict(), diag.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    losses = [{k: v for k, v in line.items() if k.startswith('loss')}
              for line in scalars(tmp_path / 'plain') if 'loss' in line]
    assert losses == [{k: v for k, v in line.items()
                       if k.startswith('loss')}
                      for line in scalars(tmp_path / 'diag') if 'loss' in line]

    lines = scalars(tmp_path / 'diag')
    grads = [line for line in lines if 'diag/grad_norm/task' in line]
    assert len(grads) == plain.train_loop.max_iters  # every iteration
    # the network step's terms; the CVAE step's (cvae, gd) do not reach
    # the student backbone in training and are not logged
    assert set(grads[0]) == {'diag/grad_norm/task', 'diag/grad_ratio/rec',
                             'diag/grad_ratio/ad', 'step'}
    assert [g['step'] for g in grads] == list(range(1, len(grads) + 1))
    for g in grads:
        assert g['diag/grad_norm/task'] > 0
        assert g['diag/grad_ratio/ad'] > 0
    [val] = [line for line in lines if 'diag/att_spread' in line]
    assert 0 < val['diag/att_spread'] < 0.5
    assert 0 <= val['diag/att_spread_channel_mean'] < val['diag/att_spread']
    hub = diag.message_hub
    assert hub.get_scalar('diag/att_spread').current() == \
        val['diag/att_spread']


def test_ratio_is_the_terms_own_gradient(tiny_clips, tmp_path):
    """By hand on one batch: the ratio is ||grad_B loss_ad|| / ||grad_B
    loss_cls||, and it scales with the term's weight."""
    teacher = random_teacher_checkpoint(tmp_path)
    runner = genkd_runner(tiny_clips, tmp_path / 'w', teacher)
    model = runner.model
    batch = next(iter(runner.train_dataloader))
    hook = DistillDiagnosticsHook(interval=1)
    torch.manual_seed(0)
    state, gens = torch.get_rng_state(), method_generator_states(model)
    first = hook.gradient_ratios(model, batch)
    assert torch.equal(torch.get_rng_state(), state)  # restored
    again = hook.gradient_ratios(model, batch)
    assert again == first  # so the same dropout / noise draws each call
    assert all(p.grad is None for p in model.parameters())

    params = [p for p in model.student.backbone.parameters()]
    data = model.data_preprocessor(batch, True)
    torch.set_rng_state(state)
    set_method_generator_states(model, gens)
    losses = model(data['inputs'], data['data_samples'], mode='loss')

    def norm(loss):
        grads = torch.autograd.grad(loss, params, retain_graph=True,
                                    allow_unused=True)
        return torch.cat([g.flatten() for g in grads if g is not None]).norm()

    expected = (norm(losses['loss_ad']) / norm(losses['loss_cls'])).item()
    assert first['diag/grad_ratio/ad'] == pytest.approx(expected, rel=1e-4)
    model.distill_losses['ad'].loss_weight *= 10
    torch.set_rng_state(state)
    set_method_generator_states(model, gens)
    tenfold = hook.gradient_ratios(model, batch)
    assert tenfold['diag/grad_ratio/ad'] == pytest.approx(
        10 * first['diag/grad_ratio/ad'], rel=1e-4)


def test_frozen_backbone_is_refused(tiny_clips, tmp_path):
    teacher = random_teacher_checkpoint(tmp_path)
    runner = genkd_runner(tiny_clips, tmp_path / 'f', teacher)
    for p in runner.model.student.backbone.parameters():
        p.requires_grad_(False)
    with pytest.raises(ValueError, match='no trainable parameter'):
        DistillDiagnosticsHook().gradient_ratios(
            runner.model, next(iter(runner.train_dataloader)))
