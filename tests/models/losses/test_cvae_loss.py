import math

import pytest
import torch

from mmkd_video.models.losses import CVAELoss


def test_by_hand():
    # mse: target (1, 3), recon (0, 1) -> (1 + 4) / 2 = 2.5
    # KL elements: 1 + logvar - (mu - A)^2 - exp(logvar)
    #   (mu=0.5, logvar=0, A=0.5)   -> 1 + 0 - 0 - 1 = 0
    #   (mu=-1, logvar=ln2, A=0)    -> 1 + ln2 - 1 - 2 = ln2 - 2
    # KL = -0.5 * mean = (2 - ln2) / 4
    recon = torch.tensor([0.0, 1.0]).view(1, 1, 1, 1, 2)
    target = torch.tensor([1.0, 3.0]).view(1, 1, 1, 1, 2)
    mu = torch.tensor([0.5, -1.0]).view(1, 1, 2)
    logvar = torch.tensor([0.0, math.log(2.0)]).view(1, 1, 2)
    prior = torch.tensor([0.5, 0.0]).view(1, 1, 2)
    kl = (2 - math.log(2.0)) / 4
    assert CVAELoss()(recon, target, mu, logvar, prior).item() == \
        pytest.approx(2.5 + 0.1 * kl, rel=1e-6)
    assert CVAELoss(kl_weight=1.0, loss_weight=2.0)(
        recon, target, mu, logvar, prior).item() == pytest.approx(
            2 * (2.5 + kl), rel=1e-6)


def test_matches_loop_reference_and_is_an_element_mean():
    gen = torch.Generator().manual_seed(0)
    recon = torch.randn(2, 3, 2, 2, 2, generator=gen)
    target = torch.randn(2, 3, 2, 2, 2, generator=gen)
    mu = torch.randn(2, 2, 4, generator=gen)
    logvar = torch.randn(2, 2, 4, generator=gen)
    prior = torch.rand(2, 2, 4, generator=gen)
    mse = sum((t - r)**2 for t, r in zip(target.flatten().tolist(),
                                         recon.flatten().tolist()))
    mse /= target.numel()
    kl_terms = [
        1 + lv - (m - a)**2 - math.exp(lv) for m, lv, a in zip(
            mu.flatten().tolist(), logvar.flatten().tolist(),
            prior.flatten().tolist())
    ]
    kl = -0.5 * sum(kl_terms) / len(kl_terms)
    value = CVAELoss(kl_weight=0.3, loss_weight=1.5)(recon, target, mu,
                                                     logvar, prior)
    assert value.dim() == 0
    assert value.item() == pytest.approx(1.5 * (mse + 0.3 * kl), rel=1e-5)


def test_target_and_prior_are_detached():
    recon = torch.randn(2, 3, 2, 2, 2, requires_grad=True)
    target = torch.randn(2, 3, 2, 2, 2, requires_grad=True)
    mu = torch.randn(2, 2, 4, requires_grad=True)
    logvar = torch.randn(2, 2, 4, requires_grad=True)
    prior = torch.rand(2, 2, 4, requires_grad=True)
    CVAELoss()(recon, target, mu, logvar, prior).backward()
    for trained in (recon, mu, logvar):
        assert trained.grad is not None and trained.grad.abs().sum() > 0
    assert target.grad is None
    assert prior.grad is None


def test_shape_errors():
    loss = CVAELoss()
    feat = torch.randn(2, 3, 2, 2, 2)
    lat = torch.randn(2, 2, 4)
    with pytest.raises(ValueError, match=r'expected recon.*\(2, 3, 2, 2, 2\)'
                       r'.*got \(2, 3, 2, 4, 4\)'):
        loss(torch.randn(2, 3, 2, 4, 4), feat, lat, lat, lat)
    with pytest.raises(ValueError, match=r'expected prior_mean.*\(2, 2, 4\)'
                       r'.*got \(2, 4, 2\)'):
        loss(feat, feat, lat, lat, torch.randn(2, 4, 2))
    with pytest.raises(ValueError, match=r'expected logvar'):
        loss(feat, feat, lat, torch.randn(2, 2, 5), lat)
    with pytest.raises(ValueError, match=r'batch size'):
        lat3 = torch.randn(3, 2, 4)
        loss(feat, feat, lat3, lat3, lat3)
    with pytest.raises(ValueError, match=r'\(N, T, D\)'):
        lat2 = torch.randn(2, 8)
        loss(feat, feat, lat2, lat2, lat2)
