import math

import numpy as np
import pytest
import torch

from mmkd_video.models.losses import PixelWiseDistillLoss


def pixel_wise_reference(preds_S, preds_T, tau):
    """Explicit loops over samples and positions; KL over the class dim."""
    s_all = preds_S.numpy().astype(np.float64)
    t_all = preds_T.numpy().astype(np.float64)
    n, k = s_all.shape[:2]
    s_all = s_all.reshape(n, k, -1)
    t_all = t_all.reshape(n, k, -1)
    total, count = 0.0, 0
    for i in range(n):
        for pos in range(s_all.shape[2]):
            es = [math.exp(s_all[i, c, pos] / tau) for c in range(k)]
            et = [math.exp(t_all[i, c, pos] / tau) for c in range(k)]
            p_S = [e / sum(es) for e in es]
            p_T = [e / sum(et) for e in et]
            total += sum(pt * math.log(pt / ps) for ps, pt in zip(p_S, p_T))
            count += 1
    return tau**2 * total / count


def test_by_hand():
    # Two positions of one sample, K = 2:
    #   position 0: pT = (3/4, 1/4), pS = (1/2, 1/2)
    #   position 1: identical maps -> 0
    preds_S = torch.tensor([[[0.0, 1.0], [0.0, -1.0]]])  # (1, 2, 2)
    preds_T = torch.tensor([[[math.log(3.0), 1.0], [0.0, -1.0]]])
    kl0 = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    assert PixelWiseDistillLoss(loss_weight=1.0)(
        preds_S, preds_T).item() == pytest.approx(kl0 / 2, rel=1e-6)
    assert PixelWiseDistillLoss()(preds_S, preds_T).item() == \
        pytest.approx(80 * kl0 / 2, rel=1e-6)


@pytest.mark.parametrize('shape', [(3, 4), (2, 3, 4, 5), (2, 3, 2, 3, 4)])
@pytest.mark.parametrize('tau', [1.0, 2.0])
def test_matches_loop_reference(shape, tau):
    gen = torch.Generator().manual_seed(len(shape))
    preds_S = torch.randn(shape, generator=gen) * 2
    preds_T = torch.randn(shape, generator=gen) * 2
    value = PixelWiseDistillLoss(tau=tau, loss_weight=0.5)(preds_S, preds_T)
    assert value.dim() == 0
    assert value.item() == pytest.approx(
        0.5 * pixel_wise_reference(preds_S, preds_T, tau), rel=1e-5)


def test_gradient_equals_official_cross_entropy_up_to_batch_factor():
    # Official: sum over N*H*W of -pT log pS, divided by H*W (no batch mean)
    gen = torch.Generator().manual_seed(5)
    n, k, h, w = 3, 4, 2, 5
    preds_T = torch.randn(n, k, h, w, generator=gen)
    ours = torch.randn(n, k, h, w, generator=gen).requires_grad_(True)
    official = ours.detach().clone().requires_grad_(True)
    PixelWiseDistillLoss(loss_weight=1.0)(ours, preds_T).backward()
    p_T = torch.softmax(preds_T, dim=1)
    ce = -(p_T * torch.log_softmax(official, dim=1)).sum() / (h * w)
    ce.backward()
    torch.testing.assert_close(n * ours.grad, official.grad)


def test_teacher_gets_no_gradient():
    preds_S = torch.randn(2, 3, 2, 4, 4, requires_grad=True)
    preds_T = torch.randn(2, 3, 2, 4, 4, requires_grad=True)
    PixelWiseDistillLoss(tau=2.0)(preds_S, preds_T).backward()
    assert preds_S.grad is not None and preds_S.grad.abs().sum() > 0
    assert preds_T.grad is None


def test_shape_errors():
    loss = PixelWiseDistillLoss()
    with pytest.raises(ValueError, match=r'expected preds_T.*\(N, K\).*'
                       r'\(2, 5, 4, 4\).*got \(2, 6, 4, 4\).*num_classes'):
        loss(torch.randn(2, 5, 4, 4), torch.randn(2, 6, 4, 4))
    with pytest.raises(ValueError, match=r'expected preds_S.*\(2, 5, 8, 8\)'
                       r'.*got \(2, 5, 4, 4\).*ResizeConnector'):
        loss(torch.randn(2, 5, 4, 4), torch.randn(2, 5, 8, 8))
    with pytest.raises(ValueError, match=r'\(N, K, \.\.\.\)'):
        loss(torch.randn(5), torch.randn(5))


def test_equals_the_official_sum_at_batch_8():
    """The official loss: cross-entropy summed over N*H*W, divided by H*W,
    times lambda_pi = 10. At N = 8 the default weight gives the same
    gradient (the values differ by the teacher entropy term only)."""
    g = torch.Generator().manual_seed(0)
    preds_S = torch.randn(8, 5, 6, 7, generator=g, requires_grad=True)
    preds_T = torch.randn(8, 5, 6, 7, generator=g)
    h, w = preds_S.shape[2:]
    official = 10 * (-(preds_T.softmax(1) * preds_S.log_softmax(1))
                     .sum()) / (h * w)
    grad_official, = torch.autograd.grad(official, preds_S)
    ours, = torch.autograd.grad(PixelWiseDistillLoss()(preds_S, preds_T),
                                preds_S)
    torch.testing.assert_close(ours, grad_official)
    entropy = -(preds_T.softmax(1) * preds_T.log_softmax(1)).sum() / (h * w)
    torch.testing.assert_close(
        PixelWiseDistillLoss()(preds_S, preds_T),
        (official - 10 * entropy).detach(), rtol=1e-4, atol=1e-4)
