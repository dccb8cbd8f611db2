import pytest
import torch

from mmkd_video.models.losses import FeatureMSELoss


def test_by_hand():
    # differences 1, 0, -2, 0 -> squares 1, 0, 4, 0 -> mean 1.25
    feat_S = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    feat_T = torch.tensor([[0.0, 2.0], [5.0, 4.0]])
    assert FeatureMSELoss()(feat_S, feat_T).item() == pytest.approx(1.25)
    assert FeatureMSELoss(loss_weight=2.0)(
        feat_S, feat_T).item() == pytest.approx(2.5)


@pytest.mark.parametrize('shape', [(2, 3, 4, 4), (2, 3, 2, 4, 4)])
def test_mean_over_all_elements(shape):
    gen = torch.Generator().manual_seed(0)
    feat_S = torch.randn(shape, generator=gen)
    feat_T = torch.randn(shape, generator=gen)
    total, count = 0.0, 0
    for s, t in zip(feat_S.flatten().tolist(), feat_T.flatten().tolist()):
        total += (s - t)**2
        count += 1
    value = FeatureMSELoss(loss_weight=0.5)(feat_S, feat_T)
    assert value.dim() == 0
    assert value.item() == pytest.approx(0.5 * total / count, rel=1e-5)


def test_teacher_gets_no_gradient():
    feat_S = torch.randn(2, 3, 2, 2, requires_grad=True)
    feat_T = torch.randn(2, 3, 2, 2, requires_grad=True)
    FeatureMSELoss()(feat_S, feat_T).backward()
    assert feat_T.grad is None
    torch.testing.assert_close(feat_S.grad,
                               2 * (feat_S - feat_T).detach() / feat_S.numel())


def test_shape_mismatch_suggests_a_connector():
    with pytest.raises(ValueError, match=r'expected feat_S.*\(2, 8, 4, 4\)'
                       r'.*got \(2, 4, 4, 4\).*ConvNormConnector'):
        FeatureMSELoss()(torch.randn(2, 4, 4, 4), torch.randn(2, 8, 4, 4))
    with pytest.raises(ValueError, match='ResizeConnector'):
        FeatureMSELoss()(torch.randn(2, 8, 2, 4, 4),
                         torch.randn(2, 8, 4, 4, 4))
