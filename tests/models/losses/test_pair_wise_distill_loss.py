import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmkd_video.models.losses import PairWiseDistillLoss


def pooled_nodes(sample, kernel):
    """Max over kernel-sized windows (last one partial) -> list of C-vectors.
    """
    sizes = sample.shape[1:]
    counts = [math.ceil(s / k) for s, k in zip(sizes, kernel)]
    nodes = []
    for index in itertools.product(*[range(c) for c in counts]):
        window = tuple(
            slice(j * k, min((j + 1) * k, s))
            for j, k, s in zip(index, kernel, sizes))
        nodes.append([sample[(c, ) + window].max()
                      for c in range(sample.shape[0])])
    return nodes


def affinity(nodes):
    norms = [math.sqrt(sum(v * v for v in f)) + 1e-8 for f in nodes]
    return [[sum(a * b for a, b in zip(fi, fj)) / (ni * nj)
             for fj, nj in zip(nodes, norms)]
            for fi, ni in zip(nodes, norms)]


def pair_wise_reference(feat_S, feat_T, kernel, weight):
    feat_S = feat_S.numpy().astype(np.float64)
    feat_T = feat_T.numpy().astype(np.float64)
    total, m = 0.0, None
    for s, t in zip(feat_S, feat_T):
        a_S = affinity(pooled_nodes(s, kernel))
        a_T = affinity(pooled_nodes(t, kernel))
        m = len(a_S)
        total += sum((a_T[i][j] - a_S[i][j])**2 for i in range(m)
                     for j in range(m))
    return weight * total / (m * m) / len(feat_S), m


def test_by_hand():
    # no pooling (scale 0): 2 nodes. Student nodes (1, 0), (0, 1) ->
    # a_S = I; teacher nodes (1, 0), (1, 0) -> a_T = all ones.
    # sum of squared differences = 2, / M^2 = 4, / N = 1 -> 0.5
    feat_S = torch.tensor([[[[1.0, 0.0]], [[0.0, 1.0]]]])  # (1, 2, 1, 2)
    feat_T = torch.tensor([[[[1.0, 1.0]], [[0.0, 0.0]]]])
    loss = PairWiseDistillLoss(pool_scale=0, loss_weight=1.0)
    assert loss(feat_S, feat_T).item() == pytest.approx(0.5, rel=1e-6)
    # default weight 0.5
    assert PairWiseDistillLoss(pool_scale=0)(
        feat_S, feat_T).item() == pytest.approx(0.25, rel=1e-6)


def test_pool_kernels():
    loss = PairWiseDistillLoss(pool_scale=0.5)
    assert loss.pool_kernel((5, 4)) == (3, 2)
    assert loss.pool_kernel((4, 8, 8)) == (2, 4, 4)  # T follows pool_scale
    assert PairWiseDistillLoss(
        0.5, temporal_pool_scale=0).pool_kernel((4, 8, 8)) == (1, 4, 4)
    assert PairWiseDistillLoss(
        0.5, temporal_pool_scale=1.0).pool_kernel((4, 8, 8)) == (4, 4, 4)
    assert PairWiseDistillLoss(0).pool_kernel((7, 7)) == (1, 1)
    assert PairWiseDistillLoss(0.1).pool_kernel((30, 30)) == (3, 3)
    with pytest.raises(ValueError, match='pool_scale'):
        PairWiseDistillLoss(pool_scale=1.5)
    with pytest.raises(ValueError, match='temporal_pool_scale'):
        PairWiseDistillLoss(temporal_pool_scale=-0.5)


@pytest.mark.parametrize('cfg,shape_S,shape_T,kernel,nodes', [
    (dict(pool_scale=0.5), (2, 3, 5, 4), (2, 4, 5, 4), (3, 2), 4),
    (dict(pool_scale=0.4), (2, 3, 7, 6), (2, 2, 7, 6), (3, 3), 6),
    (dict(pool_scale=0.5), (2, 3, 4, 4, 4), (2, 5, 4, 4, 4), (2, 2, 2), 8),
    (dict(pool_scale=0.5, temporal_pool_scale=0), (2, 3, 3, 4, 4),
     (2, 5, 3, 4, 4), (1, 2, 2), 12),
    (dict(pool_scale=0.5, temporal_pool_scale=1.0), (2, 3, 3, 4, 4),
     (2, 5, 3, 4, 4), (3, 2, 2), 4),
])
def test_matches_loop_reference(cfg, shape_S, shape_T, kernel, nodes):
    gen = torch.Generator().manual_seed(len(shape_S) + shape_S[2])
    feat_S = torch.randn(shape_S, generator=gen)
    feat_T = torch.randn(shape_T, generator=gen)
    loss = PairWiseDistillLoss(loss_weight=2.0, **cfg)
    assert loss.pool_kernel(tuple(shape_S[2:])) == kernel
    expected, m = pair_wise_reference(feat_S, feat_T, kernel, 2.0)
    assert m == nodes
    value = loss(feat_S, feat_T)
    assert value.dim() == 0
    assert value.item() == pytest.approx(expected, rel=1e-5)


def _explicit_loss(feat_S, feat_T, kernel, detach_norm):
    """Re-implementation with the norms either constants or not."""
    nodes_S = F.max_pool2d(feat_S, kernel, kernel, ceil_mode=True).flatten(2)
    nodes_T = F.max_pool2d(feat_T, kernel, kernel, ceil_mode=True).flatten(2)
    a_T = torch.tensor(np.array([
        affinity(list(sample.T.tolist())) for sample in nodes_T.numpy()
    ]), dtype=feat_S.dtype)
    if detach_norm:
        norms = torch.tensor(np.array([[
            math.sqrt(sum(v * v for v in f)) + 1e-8
            for f in sample.T.tolist()
        ] for sample in nodes_S.detach().numpy()]), dtype=feat_S.dtype)
    else:
        norms = nodes_S.norm(dim=1) + 1e-8
    dots = torch.einsum('ncm,nck->nmk', nodes_S, nodes_S)
    a_S = dots / (norms[:, :, None] * norms[:, None, :])
    m = nodes_S.shape[2]
    return ((a_T - a_S)**2).sum() / (m * m) / feat_S.shape[0]


def test_gradient_treats_the_norms_as_constants():
    gen = torch.Generator().manual_seed(11)
    feat_T = torch.randn(2, 3, 4, 4, generator=gen, dtype=torch.float64)
    feat_S = torch.randn(2, 3, 4, 4, generator=gen, dtype=torch.float64)

    def grad_of(fn):
        x = feat_S.clone().requires_grad_(True)
        fn(x).backward()
        return x.grad

    ours = grad_of(lambda x: PairWiseDistillLoss(loss_weight=1.0)(x, feat_T))
    detached = grad_of(
        lambda x: _explicit_loss(x, feat_T, (2, 2), detach_norm=True))
    full = grad_of(
        lambda x: _explicit_loss(x, feat_T, (2, 2), detach_norm=False))
    # the loss is computed in float32, hence the tolerance
    torch.testing.assert_close(ours, detached, rtol=1e-4, atol=1e-6)
    assert not torch.allclose(ours, full, rtol=1e-2, atol=1e-4)
    assert (ours - full).abs().max() > 1e-2 * full.abs().max()


def test_teacher_gets_no_gradient_and_channels_may_differ():
    feat_S = torch.randn(2, 3, 2, 4, 4, requires_grad=True)
    feat_T = torch.randn(2, 7, 2, 4, 4, requires_grad=True)
    PairWiseDistillLoss()(feat_S, feat_T).backward()
    assert feat_S.grad is not None and feat_S.grad.abs().sum() > 0
    assert feat_T.grad is None


def test_size_mismatch():
    loss = PairWiseDistillLoss()
    with pytest.raises(ValueError, match=r'expected feat_S.*\(2, 4, 8, 8\)'
                       r'.*got \(2, 3, 4, 4\).*ResizeConnector'):
        loss(torch.randn(2, 3, 4, 4), torch.randn(2, 4, 8, 8))
    with pytest.raises(ValueError, match='ResizeConnector'):
        loss(torch.randn(2, 3, 2, 4, 4), torch.randn(2, 3, 4, 4, 4))
    with pytest.raises(ValueError, match=r'\(N, C, H, W\)'):
        loss(torch.randn(2, 3, 4), torch.randn(2, 3, 4))
