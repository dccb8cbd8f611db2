import math

import numpy as np
import pytest
import torch
import torch.nn as nn

from mmkd_video.models.losses import HolisticDistillLoss


class LinearCritic(nn.Module):
    """D(x_n) = sum(w * x_n) + b: its input gradient is w for every x."""

    def __init__(self, shape, seed=0):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        self.weight = nn.Parameter(torch.randn(shape, generator=gen) * 0.3)
        self.bias = nn.Parameter(torch.tensor(0.2))

    def forward(self, x):
        return (x * self.weight).flatten(1).sum(1) + self.bias


class TupleCritic(nn.Module):

    def forward(self, x):
        return x.flatten(1).sum(1), x


def conv_critic(channels, dims=2):
    conv = nn.Conv2d if dims == 2 else nn.Conv3d
    torch.manual_seed(0)
    # both test shapes give a (3, 2, 2) or (3, 1, 2, 2) map: 12 features
    return nn.Sequential(
        conv(channels, 3, 2), nn.Tanh(), nn.Flatten(),
        nn.Linear(12, 1)).double()


def d_np(critic, x):
    """Linear critic by hand: one score per sample."""
    w = critic.weight.detach().numpy().astype(np.float64)
    b = critic.bias.item()
    return [float((sample * w).sum()) + b
            for sample in x.detach().numpy().astype(np.float64)]


SHAPE = (2, 3, 2, 2)


def make_inputs(shape=SHAPE, dtype=torch.float32):
    gen = torch.Generator().manual_seed(1)
    preds_S = torch.randn(shape, generator=gen, dtype=dtype)
    preds_T = torch.randn(shape, generator=gen, dtype=dtype)
    return preds_S.requires_grad_(True), preds_T.requires_grad_(True)


def test_generator_term_by_hand_and_gradient_isolation():
    critic = LinearCritic(SHAPE[1:])
    loss = HolisticDistillLoss(critic, loss_weight=0.1)
    preds_S, preds_T = make_inputs()
    out = loss(preds_S, preds_T)
    assert set(out) == {'adv_g'}
    expected = -0.1 * sum(d_np(critic, preds_S)) / SHAPE[0]
    assert out['adv_g'].item() == pytest.approx(expected, rel=1e-5)
    out['adv_g'].backward()
    # d(-w E[D(S)]) / dS_n = -w * weight / N, through D
    expected_grad = -0.1 * critic.weight.detach() / SHAPE[0]
    torch.testing.assert_close(preds_S.grad,
                               expected_grad.expand(SHAPE).contiguous())
    assert critic.weight.grad is None and critic.bias.grad is None
    assert preds_T.grad is None
    # requires_grad restored, and a frozen parameter stays frozen
    assert critic.weight.requires_grad and critic.bias.requires_grad
    critic.bias.requires_grad_(False)
    loss(preds_S, preds_T)
    assert critic.weight.requires_grad and not critic.bias.requires_grad


def test_discriminator_loss_wgan_gp_by_hand():
    critic = LinearCritic(SHAPE[1:])
    loss = HolisticDistillLoss(critic, loss_weight=0.1, gp_weight=10.0)
    preds_S, preds_T = make_inputs()
    out = loss.discriminator_loss(preds_S, preds_T)
    assert set(out) == {'adv_d', 'gp'}
    n = SHAPE[0]
    expected_adv = 0.1 * (sum(d_np(critic, preds_S)) / n -
                          sum(d_np(critic, preds_T)) / n)
    assert out['adv_d'].item() == pytest.approx(expected_adv, rel=1e-5)
    # ||grad_x D|| = ||weight|| for every interpolate, whatever alpha
    w = critic.weight.detach().numpy().astype(np.float64)
    w_norm = math.sqrt(float((w * w).sum()))
    assert out['gp'].item() == pytest.approx(0.1 * 10 * (w_norm - 1)**2,
                                             rel=1e-5)
    (out['adv_d'] + out['gp']).backward()
    assert preds_S.grad is None and preds_T.grad is None
    # the penalty trains D (create_graph=True): d/dw of 1 * (||w|| - 1)^2
    # plus the adversarial part 0.1 * (mean S - mean T)
    adv_grad = 0.1 * (preds_S.detach().mean(0) - preds_T.detach().mean(0))
    gp_grad = 0.1 * 10 * 2 * (w_norm - 1) * torch.from_numpy(w).float() \
        / w_norm
    torch.testing.assert_close(critic.weight.grad, adv_grad + gp_grad,
                               rtol=1e-4, atol=1e-6)
    # the bias cancels in adv_d and has no input gradient
    assert critic.bias.grad.abs().item() < 1e-6


def finite_difference_penalty(critic, x_hat, h=1e-6):
    norms = []
    for sample in x_hat:
        flat = sample.detach().clone().flatten()
        grad = []
        for e in range(flat.numel()):
            up, down = flat.clone(), flat.clone()
            up[e] += h
            down[e] -= h
            d_up = critic(up.view(1, *sample.shape)).item()
            d_down = critic(down.view(1, *sample.shape)).item()
            grad.append((d_up - d_down) / (2 * h))
        norms.append(math.sqrt(sum(g * g for g in grad)))
    return sum((v - 1)**2 for v in norms) / len(norms)


@pytest.mark.parametrize('shape,dims', [((2, 2, 3, 3), 2),
                                        ((2, 2, 2, 3, 3), 3)])
def test_gradient_penalty_matches_finite_differences(shape, dims):
    critic = conv_critic(shape[1], dims)
    preds_S, preds_T = make_inputs(shape, torch.float64)
    loss = HolisticDistillLoss(critic, loss_weight=0.1, gp_weight=10.0)
    alpha = torch.tensor([0.25, 0.8], dtype=torch.float64).view(
        (2, ) + (1, ) * (len(shape) - 1))
    x_hat = alpha * preds_T.detach() + (1 - alpha) * preds_S.detach()
    expected = finite_difference_penalty(critic, x_hat)
    gp = loss.gradient_penalty(preds_S, preds_T, alpha=alpha)
    assert gp.item() == pytest.approx(expected, rel=1e-6)
    assert gp.item() > 1e-3  # non-trivial: the norms are not 1

    # discriminator_loss draws alpha ~ U(0, 1) of shape (N, 1, ...) from
    # the loss's own generator
    replay = torch.Generator()
    replay.set_state(loss.alpha_generator.get_state())
    out = loss.discriminator_loss(preds_S, preds_T)
    drawn = torch.rand(alpha.shape, dtype=torch.float64, generator=replay)
    assert out['gp'].item() == pytest.approx(
        0.1 * 10 * finite_difference_penalty(
            critic, drawn * preds_T.detach() + (1 - drawn) * preds_S.detach()),
        rel=1e-6)
    out['gp'].backward()
    # every parameter that shapes grad_x D gets a gradient; the last bias
    # does not enter grad_x D at all
    conv, linear = critic[0], critic[3]
    for param in (conv.weight, conv.bias, linear.weight):
        assert param.grad is not None and param.grad.abs().sum() > 0
    assert linear.bias.grad is None
    assert preds_S.grad is None and preds_T.grad is None


def test_hinge_mode_by_hand():
    critic = LinearCritic(SHAPE[1:], seed=3)
    loss = HolisticDistillLoss(critic, loss_weight=0.5, mode='hinge')
    preds_S, preds_T = make_inputs()
    out = loss.discriminator_loss(preds_S, preds_T)
    d_S, d_T = d_np(critic, preds_S), d_np(critic, preds_T)
    expected = 0.5 * (sum(max(0.0, 1 + v) for v in d_S) / len(d_S) +
                      sum(max(0.0, 1 - v) for v in d_T) / len(d_T))
    assert out['adv_d'].item() == pytest.approx(expected, rel=1e-5)
    assert out['gp'].item() == 0.0
    gen = loss(preds_S, preds_T)['adv_g']
    assert gen.item() == pytest.approx(-0.5 * sum(d_S) / len(d_S), rel=1e-5)


def test_builds_from_a_config_and_owns_the_discriminator():
    loss = HolisticDistillLoss(
        dict(type=LinearCritic, shape=SHAPE[1:]), loss_weight=0.1)
    assert isinstance(loss.discriminator, LinearCritic)
    assert 'discriminator.weight' in loss.state_dict()
    assert {id(p) for p in loss.parameters()} == {
        id(p) for p in loss.discriminator.parameters()}


def test_errors():
    with pytest.raises(ValueError, match='mode'):
        HolisticDistillLoss(LinearCritic(SHAPE[1:]), mode='lsgan')
    with pytest.raises(TypeError, match='discriminator'):
        HolisticDistillLoss('StructKDDiscriminator')
    loss = HolisticDistillLoss(LinearCritic(SHAPE[1:]))
    with pytest.raises(ValueError, match=r'expected preds_S.*\(2, 3, 2, 2\)'
                       r'.*got \(2, 3, 4, 4\)'):
        loss(torch.randn(2, 3, 4, 4), torch.randn(2, 3, 2, 2))
    with pytest.raises(ValueError, match=r'\(N, K, H, W\)'):
        loss.discriminator_loss(torch.randn(2, 3), torch.randn(2, 3))
    not_a_tensor = HolisticDistillLoss(TupleCritic())
    with pytest.raises(TypeError, match='tensor'):
        not_a_tensor(torch.randn(*SHAPE), torch.randn(*SHAPE))
