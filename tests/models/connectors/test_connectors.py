import pytest
import torch

from mmkd_video.models.connectors import (ConvNormConnector, ResizeConnector,
                                          SequentialConnector)
from mmkd_video.registry import MODELS


# One sweep over every connector: finite output, gradient to the input.
@pytest.mark.parametrize('cfg, in_shape, out_shape', [
    (dict(type='ConvNormConnector', in_channels=8, out_channels=16),
     (2, 8, 4, 5, 5), (2, 16, 4, 5, 5)),
    (dict(type='ConvNormConnector', in_channels=8, out_channels=16, dims=2,
          norm_cfg=dict(type='BN'), act_cfg=dict(type='ReLU')),
     (2, 8, 5, 5), (2, 16, 5, 5)),
    (dict(type='ResizeConnector', size=(2, 7, 7)),
     (2, 8, 4, 14, 14), (2, 8, 2, 7, 7)),
    (dict(type='ResizeConnector', scale_factor=2, dims=2, mode='bilinear'),
     (2, 8, 3, 4), (2, 8, 6, 8)),
    (dict(type='SequentialConnector', connectors=[
        dict(type='ConvNormConnector', in_channels=8, out_channels=16),
        dict(type='ResizeConnector', size=(None, 7, 7))]),
     (2, 8, 4, 14, 14), (2, 16, 4, 7, 7)),
])
def test_every_connector(cfg, in_shape, out_shape):
    connector = MODELS.build(cfg)
    x = torch.randn(*in_shape, requires_grad=True)
    out = connector(x)
    assert out.shape == out_shape
    assert torch.isfinite(out).all()
    out.pow(2).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    for p in connector.parameters():
        assert p.grad is not None


def test_conv_norm_connector_layers():
    connector = ConvNormConnector(8, 16)
    conv = connector.conv_module.conv
    assert isinstance(conv, torch.nn.Conv3d)
    assert conv.kernel_size == (1, 1, 1) and conv.bias is None
    assert isinstance(connector.conv_module.norm, torch.nn.BatchNorm3d)
    connector.train()
    out = connector(torch.randn(4, 8, 2, 3, 3) * 5 + 3)
    # normalized per channel by the BN in training mode
    mean = out.mean((0, 2, 3, 4))
    assert torch.allclose(mean, torch.zeros_like(mean), atol=1e-5)
    assert (out < 0).any()  # no activation by default
    relu = ConvNormConnector(8, 16, act_cfg=dict(type='ReLU'))
    assert (relu(torch.randn(4, 8, 2, 3, 3)) >= 0).all()
    plain = ConvNormConnector(8, 16, norm_cfg=None)
    assert plain.conv_module.conv.bias is not None
    assert plain.conv_module.norm is None


def test_conv_norm_connector_errors():
    with pytest.raises(ValueError, match='norm_cfg'):
        ConvNormConnector(8, 16, dims=2)  # default BN3d on 2D features
    with pytest.raises(ValueError, match='norm_cfg'):
        ConvNormConnector(8, 16, norm_cfg=dict(type='BN'))
    ConvNormConnector(8, 16, dims=2, norm_cfg=dict(type='GN', num_groups=4))
    connector = ConvNormConnector(8, 16)
    with pytest.raises(ValueError, match='5D feature with 8 channels'):
        connector(torch.randn(2, 8, 5, 5))
    with pytest.raises(ValueError, match='8 channels'):
        connector(torch.randn(2, 4, 2, 5, 5))


def test_resize_connector_sizes():
    x = torch.randn(2, 4, 8, 14, 14)
    assert ResizeConnector(size=(None, 7, 7))(x).shape == (2, 4, 8, 7, 7)
    assert ResizeConnector(size=7)(x).shape == (2, 4, 7, 7, 7)
    assert ResizeConnector(scale_factor=(0.5, 1, 0.5))(x).shape == (2, 4, 4,
                                                                    14, 7)
    # target_shape overrides the configured size; full or trailing shapes
    resize = ResizeConnector(size=(None, 7, 7))
    teacher = torch.randn(2, 64, 4, 28, 28)
    assert resize(x, target_shape=teacher.shape).shape == (2, 4, 4, 28, 28)
    assert resize(x, target_shape=(2, None, 5)).shape == (2, 4, 2, 14, 5)
    # only a target_shape
    assert ResizeConnector()(x, target_shape=(4, 7, 7)).shape == (2, 4, 4, 7,
                                                                  7)
    # nothing to resize: the same tensor comes back
    assert ResizeConnector(size=(8, 14, 14))(x) is x


def test_resize_connector_values():
    x = torch.arange(8.).view(1, 1, 2, 2, 2)
    out = ResizeConnector(scale_factor=2, mode='nearest')(x)
    expected = x.repeat_interleave(2, 2).repeat_interleave(
        2, 3).repeat_interleave(2, 4)
    assert torch.equal(out, expected)
    # area averaging to a single position gives the mean
    out = ResizeConnector(size=1, mode='area')(x)
    assert out.item() == pytest.approx(x.mean().item())


def test_resize_connector_errors():
    x = torch.randn(2, 4, 8, 14, 14)
    with pytest.raises(ValueError, match='target_shape'):
        ResizeConnector()(x)
    with pytest.raises(ValueError, match='5D feature'):
        ResizeConnector(size=7)(torch.randn(2, 4, 14, 14))
    with pytest.raises(ValueError, match='mode'):
        ResizeConnector(size=7, dims=2)  # trilinear on 2D features
    with pytest.raises(ValueError, match='align_corners'):
        ResizeConnector(size=7, mode='nearest', align_corners=False)
    with pytest.raises(ValueError, match='only one'):
        ResizeConnector(size=7, scale_factor=2)
    with pytest.raises(ValueError, match='target_shape'):
        ResizeConnector(size=7)(x, target_shape=(7, 7))
    with pytest.raises(ValueError, match='size'):
        ResizeConnector(size=(7, 7))


def test_sequential_connector_passes_target_shape():
    connector = SequentialConnector([
        ConvNormConnector(8, 16),
        dict(type='ResizeConnector', size=(None, 7, 7)),
    ])
    assert isinstance(connector.connectors[1], ResizeConnector)
    x = torch.randn(2, 8, 4, 14, 14)
    assert connector(x).shape == (2, 16, 4, 7, 7)
    out = connector(x, target_shape=(2, 16, 2, 3, 3))
    assert out.shape == (2, 16, 2, 3, 3)
    with pytest.raises(ValueError, match='non-empty list'):
        SequentialConnector([])
    with pytest.raises(TypeError, match='nn.Modules'):
        SequentialConnector([lambda t: t])


def test_class_score_map_is_the_positionwise_classifier():
    import torch.nn as nn

    from mmkd_video.models.connectors import ClassScoreMap
    linear = nn.Linear(3, 2)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[1., 0., -1.], [0.5, 2., 0.]]))
        linear.bias.copy_(torch.tensor([0.1, -0.2]))
    feat = torch.arange(3 * 2 * 2, dtype=torch.float).view(1, 3, 2, 2)
    maps = ClassScoreMap()(feat, linear)
    assert maps.shape == (1, 2, 2, 2)
    # position (0, 0): feature (0, 4, 8) -> (0 - 8 + 0.1, 0 + 8 - 0.2)
    assert torch.allclose(maps[0, :, 0, 0], torch.tensor([-7.9, 7.8]))
    # averaging the maps equals classifying the averaged feature
    pooled = linear(feat.mean((2, 3)))
    assert torch.allclose(maps.mean((2, 3)), pooled, atol=1e-6)
    with pytest.raises(ValueError, match='\\[N, 3'):
        ClassScoreMap()(torch.zeros(1, 4, 2, 2), linear)
