import math

import pytest
import torch

from mmkd_video.models.losses import BinaryPixelWiseDistillLoss


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def bernoulli_kl(q_T, q_S):
    return (q_T * math.log(q_T / q_S) +
            (1 - q_T) * math.log((1 - q_T) / (1 - q_S)))


def test_by_hand():
    # logits 0 -> q = 1/2; logits ln3 -> q = 3/4
    # KL(Bern(3/4) || Bern(1/2)) = 3/4 ln(3/2) + 1/4 ln(1/2); the other
    # class is equal in S and T -> mean over N * K = 2 elements
    preds_S = torch.tensor([[0.0, 2.0]])
    preds_T = torch.tensor([[math.log(3.0), 2.0]])
    expected = (0.75 * math.log(1.5) + 0.25 * math.log(0.5)) / 2
    assert BinaryPixelWiseDistillLoss(loss_weight=1.0)(
        preds_S, preds_T).item() == pytest.approx(expected, rel=1e-6)
    assert BinaryPixelWiseDistillLoss()(preds_S, preds_T).item() == \
        pytest.approx(10 * expected, rel=1e-6)


@pytest.mark.parametrize('shape', [(3, 4), (2, 3, 2, 2), (2, 3, 2, 2, 3)])
@pytest.mark.parametrize('tau', [1.0, 2.0])
def test_matches_loop_reference(shape, tau):
    gen = torch.Generator().manual_seed(len(shape))
    preds_S = torch.randn(shape, generator=gen) * 2
    preds_T = torch.randn(shape, generator=gen) * 2
    terms = [
        bernoulli_kl(sigmoid(t / tau), sigmoid(s / tau))
        for s, t in zip(preds_S.flatten().tolist(),
                        preds_T.flatten().tolist())
    ]
    expected = 0.3 * tau**2 * sum(terms) / len(terms)
    value = BinaryPixelWiseDistillLoss(tau=tau, loss_weight=0.3)(preds_S,
                                                                 preds_T)
    assert value.dim() == 0
    assert value.item() == pytest.approx(expected, rel=1e-5)


def test_finite_for_saturated_logits():
    # KL(Bern(~1) || Bern(sigmoid(-30))) ~= -log sigmoid(-30) ~= 30
    preds_S = torch.tensor([[-30.0, 100.0]], requires_grad=True)
    preds_T = torch.tensor([[30.0, 100.0]])
    value = BinaryPixelWiseDistillLoss(loss_weight=1.0)(preds_S, preds_T)
    assert math.isfinite(value.item())
    assert value.item() == pytest.approx(30.0 / 2, rel=1e-3)
    value.backward()
    assert torch.isfinite(preds_S.grad).all()


def test_teacher_gets_no_gradient_and_shape_error():
    preds_S = torch.randn(2, 5, 3, requires_grad=True)
    preds_T = torch.randn(2, 5, 3, requires_grad=True)
    BinaryPixelWiseDistillLoss()(preds_S, preds_T).backward()
    assert preds_S.grad is not None and preds_T.grad is None
    with pytest.raises(ValueError, match=r'expected preds_S.*\(2, 6\).*got '
                       r'\(2, 5\)'):
        BinaryPixelWiseDistillLoss()(torch.randn(2, 5), torch.randn(2, 6))
