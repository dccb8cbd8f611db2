import contextlib

import pytest
import torch
import torch.nn as nn

from mmkd_video.models.discriminators import StructKDDiscriminator
from mmkd_video.models.discriminators.small_map_conv import (
    conv_output_size, dense_conv, dense_is_cheaper, dense_matrix,
    shared_matrices, tap_placement)


def test_dense_conv_by_hand():
    # 1 -> 1 channel, k3 p1 on a 2x2 map: output (0, 0) meets input (i, j)
    # at tap (i + 1, j + 1), so with taps 1..9 it is 1*5 + 2*6 + 3*8 + 4*9
    conv = nn.Conv2d(1, 1, 3, padding=1)
    with torch.no_grad():
        conv.weight.copy_(torch.arange(1., 10.).view(1, 1, 3, 3))
        conv.bias.fill_(0.5)
    x = torch.tensor([[1., 2.], [3., 4.]]).view(1, 1, 2, 2)
    y = dense_conv(x, conv, tap_placement((2, 2), conv), (2, 2))
    assert y[0, 0, 0, 0].item() == 77.5
    # output (1, 1) meets input (i, j) at tap (i, j): 1*1 + 2*2 + 3*4 + 4*5
    assert y[0, 0, 1, 1].item() == 37.5
    torch.testing.assert_close(y, conv(x))


@pytest.mark.parametrize('conv, size', [
    (nn.Conv3d(5, 7, 3, 1, 1), (2, 2, 2)),
    (nn.Conv3d(4, 6, (3, 4, 4), (1, 2, 2), 1), (2, 4, 4)),
    (nn.Conv3d(3, 4, (4, 3, 3), (2, 1, 1), 1), (4, 2, 2)),
    (nn.Conv2d(3, 5, 4, 2, 1), (4, 4)),
    (nn.Conv2d(3, 2, 1), (1, 1)),
])
def test_dense_conv_equals_conv_through_double_backward(conv, size):
    conv = conv.double()
    placement = tap_placement(size, conv).double()
    out_size = conv_output_size(size, conv)

    def penalty_grads(fn):
        conv.zero_grad()
        x = torch.randn(3, conv.in_channels, *size, dtype=torch.float64,
                        generator=torch.Generator().manual_seed(0),
                        requires_grad=True)
        y = fn(x)
        grad, = torch.autograd.grad(y.square().sum(), x, create_graph=True)
        grad.square().sum().backward()  # WGAN-GP's double backward
        return y, grad, conv.weight.grad.clone(), conv.bias.grad.clone()

    dense = penalty_grads(lambda x: dense_conv(x, conv, placement, out_size))
    ref = penalty_grads(conv)
    for a, b in zip(dense, ref):
        torch.testing.assert_close(a, b)


def test_dense_only_where_cheaper():
    # P_in <= taps: the late stages of video critics, never the official
    # 64x64 layout
    assert dense_is_cheaper((2, 2, 2), nn.Conv3d(1, 1, 3, padding=1))
    assert dense_is_cheaper((2, 4, 4), nn.Conv3d(1, 1, (3, 4, 4)))
    assert not dense_is_cheaper((4, 8, 8), nn.Conv3d(1, 1, 4))
    disc = StructKDDiscriminator(19, (64, 64))
    assert disc.dense_sizes == [None] * 4
    disc = StructKDDiscriminator(6, (4, 8, 8), base_channels=8)
    assert disc.dense_sizes == [None, (2, 4, 4), (2, 2, 2), (2, 2, 2)]
    disc = StructKDDiscriminator(10, (4, 2, 2), base_channels=8)
    assert disc.dense_sizes == [(4, 2, 2), (2, 2, 2), (2, 2, 2), (2, 2, 2)]


@pytest.mark.parametrize('size, classes', [((4, 2, 2), 10), ((4, 8, 8), 6),
                                           ((8, 2, 2), 5)])
def test_critic_same_with_and_without_dense_stages(size, classes):
    torch.manual_seed(0)
    disc = StructKDDiscriminator(classes, size, base_channels=8).double()
    disc.eval()  # no power iteration: both passes see the same weights
    for att in disc.attentions[2:]:
        nn.init.constant_(att.gamma, 0.7)
    x = torch.randn(4, classes, *size, dtype=torch.float64)

    def penalty_grads():
        disc.zero_grad()
        x_hat = x.clone().requires_grad_(True)
        score = disc(x_hat)
        grad, = torch.autograd.grad(score.sum(), x_hat, create_graph=True)
        ((grad.flatten(1).norm(dim=1) - 1)**2).mean().backward()
        return [score, grad] + [p.grad.clone() for p in disc.parameters()
                                if p.grad is not None]

    dense = penalty_grads()
    planned, disc.dense_sizes = disc.dense_sizes, [None] * 4
    assert any(planned)
    ref = penalty_grads()
    assert len(dense) == len(ref)
    for a, b in zip(dense, ref):
        torch.testing.assert_close(a, b)


def test_other_map_size_takes_the_conv():
    # planned for 4x8x8; a 4x6x6 crop runs the same layers as convs
    disc = StructKDDiscriminator(6, (4, 8, 8), base_channels=8).eval()
    x = torch.randn(2, 6, 4, 6, 6)
    y = disc(x)
    planned, disc.dense_sizes = disc.dense_sizes, [None] * 4
    torch.testing.assert_close(y, disc(x))
    assert planned[1] == (2, 4, 4)  # the crop's stage 2 sees 2x3x3


def test_shared_matrices_build_each_matrix_once():
    conv = nn.Conv3d(3, 4, 3, padding=1)
    placement = tap_placement((2, 2, 2), conv)
    outside = [dense_matrix(conv, placement, 8) for _ in range(2)]
    assert outside[0] is not outside[1]
    with shared_matrices():
        first = dense_matrix(conv, placement, 8)
        assert dense_matrix(conv, placement, 8) is first
        with torch.no_grad():  # a graph-less matrix serves no_grad calls
            frozen = dense_matrix(conv, placement, 8)
        assert frozen is not first and not frozen.requires_grad
        assert dense_matrix(conv, placement, 8) is first
        with shared_matrices():  # nested: the outer scope's matrices
            assert dense_matrix(conv, placement, 8) is first
    assert dense_matrix(conv, placement, 8) is not first  # dropped on exit
    torch.testing.assert_close(first, outside[0])


def test_critic_step_same_with_and_without_shared_matrices(monkeypatch):
    import copy

    import mmkd_video.models.losses.holistic_distill_loss as holistic
    torch.manual_seed(0)
    loss = holistic.HolisticDistillLoss(
        dict(type='StructKDDiscriminator', in_channels=10,
             input_size=(4, 2, 2), base_channels=8)).double()
    assert all(loss.discriminator.dense_sizes)
    for att in loss.discriminator.attentions[2:]:
        nn.init.constant_(att.gamma, 0.7)
    twin = copy.deepcopy(loss)  # same weights, same interpolation stream
    preds_S = torch.randn(4, 10, 4, 2, 2, dtype=torch.float64)
    preds_T = torch.randn(4, 10, 4, 2, 2, dtype=torch.float64) + 0.5

    def step(critic_loss):
        out = critic_loss.discriminator_loss(preds_S, preds_T)
        (out['adv_d'] + out['gp']).backward()
        return [out['adv_d'], out['gp']] + [
            p.grad for p in critic_loss.discriminator.parameters()
            if p.grad is not None]

    shared = step(loss)
    monkeypatch.setattr(holistic, 'shared_matrices', contextlib.nullcontext)
    ref = step(twin)
    assert len(shared) == len(ref) > 2
    for a, b in zip(shared, ref):
        torch.testing.assert_close(a, b)
