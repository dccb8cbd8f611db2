import math

import numpy as np
import pytest
import torch

from mmkd_video.models.losses import ATLoss


def at_reference(feat_S, feat_T, p, weight):
    """Explicit loops: channel mean of |F|^p, L2-normalise, mean sq diff."""

    def attention(feat):
        feat = feat.numpy().astype(np.float64)
        maps = []
        for sample in feat:
            flat = sample.reshape(sample.shape[0], -1)
            q = [sum(abs(flat[c, m])**p for c in range(flat.shape[0])) /
                 flat.shape[0] for m in range(flat.shape[1])]
            norm = math.sqrt(sum(v * v for v in q))
            maps.append([v / norm for v in q])
        return maps

    q_S, q_T = attention(feat_S), attention(feat_T)
    total, count = 0.0, 0
    for row_S, row_T in zip(q_S, q_T):
        for a, b in zip(row_S, row_T):
            total += (a - b)**2
            count += 1
    return weight * total / count


def test_by_hand():
    # student (C=2): q = ((1 + 9) / 2, (4 + 0) / 2) = (5, 2) -> /sqrt(29)
    # teacher (C=1): q = (4, 0) -> (1, 0)
    feat_S = torch.tensor([[[[1.0, 2.0]], [[3.0, 0.0]]]])  # (1, 2, 1, 2)
    feat_T = torch.tensor([[[[2.0, 0.0]]]])  # (1, 1, 1, 2)
    r = math.sqrt(29)
    expected = ((5 / r - 1)**2 + (2 / r)**2) / 2
    assert ATLoss(loss_weight=1.0)(feat_S, feat_T).item() == pytest.approx(
        expected, rel=1e-6)
    # default weight: beta / 2 = 500
    assert ATLoss()(feat_S, feat_T).item() == pytest.approx(
        500 * expected, rel=1e-6)


@pytest.mark.parametrize('p', [2, 3])
@pytest.mark.parametrize('shape_S,shape_T', [
    ((2, 3, 4, 5), (2, 6, 4, 5)),
    ((2, 3, 2, 4, 3), (2, 5, 2, 4, 3)),
])
def test_matches_loop_reference(p, shape_S, shape_T):
    gen = torch.Generator().manual_seed(p)
    feat_S = torch.randn(shape_S, generator=gen)
    feat_T = torch.randn(shape_T, generator=gen)
    value = ATLoss(p=p, loss_weight=7.0)(feat_S, feat_T)
    assert value.dim() == 0
    assert value.item() == pytest.approx(
        at_reference(feat_S, feat_T, p, 7.0), rel=1e-5)


def test_spatio_temporal_map_is_not_per_frame():
    # Two frames, one twice as strong: a per-frame normalisation would make
    # them identical to a constant teacher; the (T*H*W) map does not.
    frame = torch.ones(1, 1, 1, 2, 2)
    feat_S = torch.cat([frame, 2 * frame], dim=2)  # (1, 1, 2, 2, 2)
    feat_T = torch.ones(1, 1, 2, 2, 2)
    assert ATLoss(loss_weight=1.0)(feat_S, feat_T).item() > 1e-3


def test_scale_invariance_and_linear_weight():
    gen = torch.Generator().manual_seed(3)
    feat_S = torch.randn(2, 4, 3, 3, generator=gen)
    feat_T = torch.randn(2, 8, 3, 3, generator=gen)
    base = ATLoss(loss_weight=1.0)(feat_S, feat_T).item()
    assert ATLoss(loss_weight=1.0)(5 * feat_S, feat_T).item() == \
        pytest.approx(base, rel=1e-5)
    assert ATLoss(loss_weight=4.0)(feat_S, feat_T).item() == pytest.approx(
        4 * base, rel=1e-6)


def test_teacher_gets_no_gradient():
    feat_S = torch.randn(2, 4, 2, 3, 3, requires_grad=True)
    feat_T = torch.randn(2, 8, 2, 3, 3, requires_grad=True)
    ATLoss()(feat_S, feat_T).backward()
    assert feat_S.grad is not None and feat_S.grad.abs().sum() > 0
    assert feat_T.grad is None


def test_size_mismatch_suggests_resize_connector():
    with pytest.raises(ValueError, match=r'expected feat_S.*\(2, 8, 7, 7\)'
                       r'.*got \(2, 4, 14, 14\).*ResizeConnector'):
        ATLoss()(torch.randn(2, 4, 14, 14), torch.randn(2, 8, 7, 7))
    with pytest.raises(ValueError, match='ResizeConnector'):
        ATLoss()(torch.randn(2, 4, 4, 7, 7), torch.randn(2, 8, 8, 7, 7))
    with pytest.raises(ValueError, match='ResizeConnector'):
        ATLoss()(torch.randn(3, 4, 7, 7), torch.randn(2, 4, 7, 7))
    with pytest.raises(ValueError, match=r'\(N, C, H, W\)'):
        ATLoss()(torch.randn(2, 4), torch.randn(2, 4))
