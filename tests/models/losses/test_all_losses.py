"""One sweep over every loss: registry build, finite value, gradient flow."""
import pytest
import torch
import torch.nn as nn

from mmkd_video.models import losses
from mmkd_video.registry import MODELS


class SmallCritic(nn.Module):
    """(N, K, T, H, W) score map -> (N, ) critic score."""

    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv3d(channels, 4, 1)

    def forward(self, x):
        return torch.tanh(self.conv(x)).flatten(1).mean(1)


def randn(*shape):
    return torch.randn(shape)


# name -> (extra config, inputs in call order, which inputs are the
#          student's (get a gradient), documented default loss_weight)
CASES = {
    'KDLoss': (dict(tau=4.0), lambda: [randn(4, 10), randn(4, 10)],
               {0}, 1.0),
    'FeatureMSELoss': (dict(), lambda: [randn(2, 8, 2, 4, 4),
                                        randn(2, 8, 2, 4, 4)], {0}, 1.0),
    'ATLoss': (dict(), lambda: [randn(2, 4, 2, 4, 4),
                                randn(2, 8, 2, 4, 4)], {0}, 500.0),
    # recon, target, mu, logvar, prior_mean: the CVAE outputs are "student"
    'CVAELoss': (dict(), lambda: [
        randn(2, 8, 2, 4, 4), randn(2, 8, 2, 4, 4), randn(2, 2, 8),
        randn(2, 2, 8), randn(2, 2, 8)], {0, 2, 3}, 1.0),
    # both sides belong to the student (feature and its reconstruction)
    'FeatureReconstructionLoss': (dict(), lambda: [randn(2, 8, 2, 4, 4),
                                                   randn(2, 8, 2, 4, 4)],
                                  {0, 1}, 0.5),
    'AttentionDistillLoss': (dict(), lambda: [randn(2, 8, 2),
                                              randn(2, 8, 2)], {0}, 0.1),
    'GenerativeDistillLoss': (dict(), lambda: [randn(2, 8, 2, 4, 4),
                                               randn(2, 8, 2, 4, 4)],
                              {0}, 0.01),
    'PixelWiseDistillLoss': (dict(), lambda: [randn(2, 5, 2, 4, 4),
                                              randn(2, 5, 2, 4, 4)],
                             {0}, 80.0),
    'BinaryPixelWiseDistillLoss': (dict(), lambda: [randn(2, 5, 2, 4, 4),
                                                    randn(2, 5, 2, 4, 4)],
                                   {0}, 10.0),
    'PairWiseDistillLoss': (dict(), lambda: [randn(2, 4, 2, 4, 4),
                                             randn(2, 8, 2, 4, 4)],
                            {0}, 0.5),
    'HolisticDistillLoss': (dict(discriminator=dict(type=SmallCritic,
                                                    channels=3)),
                            lambda: [randn(2, 3, 2, 4, 4),
                                     randn(2, 3, 2, 4, 4)], {0}, 0.1),
}


def test_every_exported_loss_is_registered_and_swept():
    assert set(CASES) == set(losses.__all__)
    for name in losses.__all__:
        assert MODELS.get(name) is getattr(losses, name)


def _total(value):
    if isinstance(value, dict):
        return sum(value.values())
    return value


@pytest.mark.parametrize('name', sorted(CASES))
def test_build_value_and_gradient_flow(name):
    extra, make_inputs, student, default_weight = CASES[name]
    torch.manual_seed(0)
    loss = MODELS.build(dict(type=name, **extra))
    assert isinstance(loss, getattr(losses, name))
    assert loss.loss_weight == default_weight
    inputs = [x.requires_grad_(True) for x in make_inputs()]
    value = _total(loss(*inputs))
    assert value.dim() == 0
    assert torch.isfinite(value)
    value.backward()
    for index, x in enumerate(inputs):
        if index in student:
            assert x.grad is not None and x.grad.abs().sum() > 0, index
        else:
            assert x.grad is None, index
    for param in loss.parameters():  # only HolisticDistillLoss has some
        assert param.grad is None


@pytest.mark.parametrize('name', sorted(CASES))
def test_loss_weight_scales_linearly(name):
    extra, make_inputs, _, _ = CASES[name]
    torch.manual_seed(0)
    inputs = make_inputs()
    torch.manual_seed(1)
    one = MODELS.build(dict(type=name, loss_weight=1.0, **extra))
    torch.manual_seed(1)
    three = MODELS.build(dict(type=name, loss_weight=3.0, **extra))
    v1, v3 = _total(one(*inputs)).item(), _total(three(*inputs)).item()
    assert v1 != 0
    assert v3 == pytest.approx(3 * v1, rel=1e-5)


def test_holistic_discriminator_step_trains_only_the_critic():
    extra, make_inputs, _, _ = CASES['HolisticDistillLoss']
    torch.manual_seed(0)
    loss = MODELS.build(dict(type='HolisticDistillLoss', **extra))
    preds_S, preds_T = [x.requires_grad_(True) for x in make_inputs()]
    out = loss.discriminator_loss(preds_S, preds_T)
    total = out['adv_d'] + out['gp']
    assert torch.isfinite(total)
    total.backward()
    assert preds_S.grad is None and preds_T.grad is None
    assert all(p.grad is not None for p in loss.discriminator.parameters())
