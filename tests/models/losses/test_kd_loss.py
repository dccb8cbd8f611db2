import math

import numpy as np
import pytest
import torch

from mmkd_video.models.losses import KDLoss


def softmax_np(row, tau):
    exps = [math.exp(v / tau) for v in row]
    total = sum(exps)
    return [e / total for e in exps]


def kd_reference(preds_S, preds_T, tau):
    """sum_k pT (log pT - log pS), averaged over rows, times tau^2."""
    total = 0.0
    for s_row, t_row in zip(preds_S.tolist(), preds_T.tolist()):
        p_S, p_T = softmax_np(s_row, tau), softmax_np(t_row, tau)
        total += sum(pt * (math.log(pt) - math.log(ps))
                     for ps, pt in zip(p_S, p_T))
    return tau**2 * total / len(preds_S)


def test_two_class_by_hand():
    # pT = (3/4, 1/4), pS = (1/2, 1/2):
    # KL = 3/4 ln(3/2) + 1/4 ln(1/2) = 0.1308120...
    preds_S = torch.zeros(1, 2)
    preds_T = torch.tensor([[math.log(3.0), 0.0]])
    assert KDLoss()(preds_S, preds_T).item() == pytest.approx(
        0.75 * math.log(1.5) + 0.25 * math.log(0.5), rel=1e-6)
    assert KDLoss()(preds_S, preds_T).item() == pytest.approx(
        0.130812, abs=1e-6)


def test_two_class_with_temperature_by_hand():
    # tau = 2: pT = softmax(ln3 / 2, 0) = (sqrt3, 1) / (sqrt3 + 1)
    preds_S = torch.zeros(1, 2)
    preds_T = torch.tensor([[math.log(3.0), 0.0]])
    r3 = math.sqrt(3.0)
    p0, p1 = r3 / (r3 + 1), 1 / (r3 + 1)
    expected = 4 * (p0 * math.log(p0 / 0.5) + p1 * math.log(p1 / 0.5))
    assert KDLoss(tau=2.0)(preds_S, preds_T).item() == pytest.approx(
        expected, rel=1e-6)


@pytest.mark.parametrize('tau', [1.0, 3.0])
def test_matches_loop_reference(tau):
    gen = torch.Generator().manual_seed(0)
    preds_S = torch.randn(3, 5, generator=gen) * 2
    preds_T = torch.randn(3, 5, generator=gen) * 2
    value = KDLoss(tau=tau, loss_weight=1.0)(preds_S, preds_T)
    assert value.dim() == 0
    assert value.item() == pytest.approx(
        kd_reference(preds_S, preds_T, tau), rel=1e-5)


def test_gradient_is_tau_times_probability_difference():
    # d/dz^S [tau^2 * KL] = tau * (pS - pT) / N
    tau, weight = 2.5, 0.7
    gen = torch.Generator().manual_seed(1)
    preds_S = torch.randn(2, 4, generator=gen).requires_grad_(True)
    preds_T = torch.randn(2, 4, generator=gen)
    KDLoss(tau=tau, loss_weight=weight)(preds_S, preds_T).backward()
    expected = np.array([
        [weight * tau * (ps - pt) / 2 for ps, pt in zip(
            softmax_np(s, tau), softmax_np(t, tau))]
        for s, t in zip(preds_S.tolist(), preds_T.tolist())])
    np.testing.assert_allclose(preds_S.grad.numpy(), expected, rtol=1e-5,
                               atol=1e-7)


def test_loss_weight_is_linear_and_zero_for_equal_inputs():
    gen = torch.Generator().manual_seed(2)
    preds_S, preds_T = torch.randn(4, 6, generator=gen), torch.randn(
        4, 6, generator=gen)
    base = KDLoss(tau=2.0)(preds_S, preds_T)
    assert KDLoss(tau=2.0, loss_weight=3.0)(
        preds_S, preds_T).item() == pytest.approx(3 * base.item(), rel=1e-6)
    assert KDLoss()(preds_T, preds_T).item() == pytest.approx(0, abs=1e-7)


def test_teacher_gets_no_gradient():
    preds_S = torch.randn(2, 3, requires_grad=True)
    preds_T = torch.randn(2, 3, requires_grad=True)
    KDLoss(tau=2.0)(preds_S, preds_T).backward()
    assert preds_S.grad is not None and preds_S.grad.abs().sum() > 0
    assert preds_T.grad is None


def test_class_count_mismatch_is_explained():
    with pytest.raises(ValueError, match=r'expected.*\(2, 10\).*got '
                       r'\(2, 12\).*num_classes'):
        KDLoss()(torch.randn(2, 10), torch.randn(2, 12))
    with pytest.raises(ValueError, match=r'\(N, K\)'):
        KDLoss()(torch.randn(2, 10, 3), torch.randn(2, 10, 3))
    with pytest.raises(ValueError, match='tau'):
        KDLoss(tau=0)
