"""The StructKD critic learns on video-sized maps within 100 steps, with the
critic and optimizer of the shipped configs."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmkd_video.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__))))
DEMO = ('configs/structkd/structkd-pi-pa-ho_r3d18-w32-to-w8_1xb8-8x2x1-20e_'
        'synthetic-rgb.py')
AVA = ('configs/ava/structkd-pa-pi-ho_fastrcnn-slowonly-r50-w8-to-r18-w4_'
       '1xb8-4x4x1-20e_synthetic-ava-rgb.py')


def separable_maps(n, k, size, g):
    """Teacher maps with a confident class (a shift of norm 8 per sample,
    spread over the positions), student maps without: separable, with a
    finite Wasserstein distance whatever the map size."""
    positions = math.prod(size)
    cls = torch.randint(0, k, (n, ), generator=g)
    shift = 8 / math.sqrt(positions) * torch.eye(k)[cls]
    t = torch.randn(n, k, *size, generator=g)
    t += shift.view(n, k, *([1] * len(size)))
    s = torch.randn(n, k, *size, generator=g)
    return s, t


@pytest.mark.parametrize('config, size', [
    (DEMO, None),         # the demo's class maps [N, 10, 4, 2, 2]
    (AVA, None),          # per-RoI class maps [N_roi, 6, 4, 8, 8]
    (DEMO, (8, 2, 2)),    # a T=8 map (SlowOnly 8x8 frames)
], ids=['demo', 'ava-roi', 't8'])
def test_critic_learns_within_100_steps(config, size):
    cfg = Config.fromfile(osp.join(REPO, config))
    ho = cfg.model.distill_losses.ho.copy()
    ho.pop('inputs')
    if size is not None:
        ho.discriminator.input_size = size
    size = tuple(ho.discriminator.input_size)
    k = ho.discriminator.in_channels
    torch.manual_seed(0)
    loss = MODELS.build(ho)
    optim = build_optim_wrapper(
        loss.discriminator,
        dict(optimizer=cfg.optim_wrapper.discriminator.optimizer))
    g = torch.Generator().manual_seed(1)
    n, w = 8, loss.loss_weight
    gp_logged, gap = [], []
    for _ in range(100):
        s, t = separable_maps(n, k, size, g)
        out = loss.discriminator_loss(s, t)  # as logged: loss_adv_d, loss_gp
        optim.update_params(out['adv_d'] + out['gp'])
        gp_logged.append(out['gp'].item())
        gap.append(-out['adv_d'].item() / w)  # E[D(T)] - E[D(S)]
    gp_weight = w * loss.gp_weight
    # at the start the critic is nearly flat: penalty ~ its full weight
    assert gp_logged[0] > 0.9 * gp_weight
    assert sum(gp_logged[-10:]) / 10 < 0.9 * gp_weight, gp_logged[-10:]
    # the critic tells them apart: the gap grows and is positive (averaged
    # over the last 20 batches, each batch's gap is noisy)
    assert sum(gap[-20:]) / 20 > max(gap[0], 0) + 0.2, (gap[0], gap[-20:])
    # the generator term's gradient at the student map: for a 1-Lipschitz
    # critic, -w * mean_n D(s_n) has gradient norm w / sqrt(N)
    s, t = separable_maps(n, k, size, g)
    s.requires_grad_(True)
    loss(s, t)['adv_g'].backward()
    assert s.grad.norm() > 0.25 * w / math.sqrt(n), s.grad.norm()


def test_official_sgd_does_not_move_a_critic_on_the_demo_maps():
    """Why the video configs do not use the official SGD lr 4e-4 (kept for
    the official 64x64 setting): on [N, 10, 4, 2, 2] maps the penalty stays
    at its full weight for 100 steps."""
    cfg = Config.fromfile(osp.join(REPO, DEMO))
    ho = cfg.model.distill_losses.ho.copy()
    ho.pop('inputs')
    torch.manual_seed(0)
    loss = MODELS.build(ho)
    optim = build_optim_wrapper(loss.discriminator, dict(optimizer=dict(
        type='SGD', lr=4e-4, momentum=0.9, weight_decay=5e-4)))
    g = torch.Generator().manual_seed(1)
    for _ in range(100):
        out = loss.discriminator_loss(*separable_maps(8, 10, (4, 2, 2), g))
        optim.update_params(out['adv_d'] + out['gp'])
    assert out['gp'].item() > 0.9 * loss.loss_weight * loss.gp_weight
