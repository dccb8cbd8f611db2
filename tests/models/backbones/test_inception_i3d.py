"""InceptionI3D / TopI3D: shapes, temporal layout, freezing, recognizer use.

Tiny inputs and ``width_multiplier=0.25`` keep this file CPU-light; the
full-width networks are only built (never run at 64 x 224 x 224).
"""
import pytest
import torch
import torch.nn as nn
from mmaction.structures import ActionDataSample
from torch.nn.modules.batchnorm import _BatchNorm

import mmkd_video.models.backbones  # noqa: F401  (registers the backbones)
from mmkd_video.models.backbones import InceptionI3D, TopI3D
from mmkd_video.models.backbones.inception_blocks import (MaxPool3dSame,
                                                          Unit3D,
                                                          _tf_same_pad)
from mmkd_video.models.backbones.inception_i3d import ENDPOINTS, INFLATABLE
from mmkd_video.registry import MODELS

W = 0.25  # width multiplier of the tiny networks
TOP_2D = INFLATABLE[:INFLATABLE.index('Mixed_4d')]  # stem .. Mixed_4c
TOP_3D = INFLATABLE[INFLATABLE.index('Mixed_4d'):]  # Mixed_4d .. Mixed_5c


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def temporal_kernels(block: nn.Module):
    """Temporal kernel sizes of every conv and pool of ``block``."""
    return [m.kernel_size[0] for m in block.modules()
            if isinstance(m, (nn.Conv3d, nn.MaxPool3d))]


@pytest.mark.parametrize('cls', [InceptionI3D, TopI3D])
@pytest.mark.parametrize('padding_mode', ['tf', 'symmetric'])
def test_output_shapes(cls, padding_mode):
    model = cls(width_multiplier=W, padding_mode=padding_mode,
                out_indices=('Mixed_4f', 'Mixed_5c')).eval()
    with torch.no_grad():
        f4, f5 = model(torch.rand(1, 3, 16, 64, 64))
    # Mixed_4f: /4 in time, /16 in space; Mixed_5c: /8 in both.
    # 832 * 0.25 = 208 and 1024 * 0.25 = 256 (multiples of 8).
    assert f4.shape == (1, 208, 4, 4, 4)
    assert f5.shape == (1, 256, 2, 2, 2)
    assert model.out_channels == 256
    assert model.block_channels['Mixed_4f'] == 208
    # 'SAME' output sizes, ceil(n / s), on odd sizes too
    with torch.no_grad():
        out = model(torch.rand(1, 3, 9, 33, 31))
    assert out[1].shape == (1, 256, 2, 2, 1)


def test_full_width_channels_and_single_output():
    model = InceptionI3D(out_indices='Mixed_4b')  # builds up to Mixed_4b
    assert model.block_names[-1] == 'Mixed_4b'
    assert not hasattr(model, 'Mixed_5c')
    full = {
        'Mixed_3b': 256, 'Mixed_3c': 480, 'Mixed_4b': 512,
    }
    for name, c in full.items():
        assert model.block_channels[name] == c
    with torch.no_grad():
        out = model.eval()(torch.rand(1, 3, 4, 32, 32))
    assert isinstance(out, torch.Tensor)  # one block: a tensor, no tuple
    assert out.shape == (1, 512, 1, 2, 2)


def test_tf_same_padding_helper():
    # TF: output ceil(n / s), the odd pad element after
    assert _tf_same_pad(224, 7, 2) == (2, 3)
    assert _tf_same_pad(112, 3, 2) == (0, 1)
    assert _tf_same_pad(16, 2, 2) == (0, 0)
    assert _tf_same_pad(15, 2, 2) == (0, 1)
    assert _tf_same_pad(8, 3, 1) == (1, 1)
    # a layer mixing stride-1 and strided axes pads each axis once
    for mode in ('tf', 'symmetric'):
        unit = Unit3D(1, 1, 3, (1, 2, 2), padding_mode=mode)
        assert unit(torch.rand(1, 1, 4, 8, 7)).shape == (1, 1, 4, 4, 4)
    # the padded zeros of a pool never win on post-ReLU inputs, and the
    # asymmetric padding shifts strided windows relative to 'symmetric'
    x = torch.arange(16.).view(1, 1, 1, 4, 4)
    tf = MaxPool3dSame((1, 3, 3), (1, 2, 2), 'tf')(x)
    sym = MaxPool3dSame((1, 3, 3), (1, 2, 2), 'symmetric')(x)
    assert tf.shape == sym.shape == (1, 1, 1, 2, 2)
    assert tf.flatten().tolist() == [10., 11., 14., 15.]
    assert sym.flatten().tolist() == [5., 7., 13., 15.]


def test_top_i3d_temporal_layout():
    top, i3d = TopI3D(width_multiplier=W), InceptionI3D(width_multiplier=W)
    for name in TOP_2D:
        assert set(temporal_kernels(getattr(top, name))) == {1}, name
        assert max(temporal_kernels(getattr(i3d, name))) > 1, name
    for name in TOP_3D:
        # b1b, b2b, b3a are 3 in time; the 1x1x1 units stay 1
        kernels = temporal_kernels(getattr(top, name))
        assert sorted(kernels) == [1, 1, 1, 1, 3, 3, 3], name
        assert kernels == temporal_kernels(getattr(i3d, name))
    assert top.Conv3d_1a_7x7.conv3d.kernel_size == (1, 7, 7)
    assert top.Conv3d_2c_3x3.conv3d.kernel_size == (1, 3, 3)
    assert i3d.Conv3d_1a_7x7.conv3d.kernel_size == (7, 7, 7)
    assert top.Mixed_3b.b3a.kernel_size == (1, 3, 3)
    # the strides (and the stride-2 pools) are I3D's: same output size
    assert top.Conv3d_1a_7x7.conv3d.stride == (2, 2, 2)
    assert top.MaxPool3d_4a_3x3.kernel_size == (3, 3, 3)
    assert top.inflate == {n: n in TOP_3D for n in INFLATABLE}
    # the same layout through the generic class
    assert InceptionI3D(temporal_conv_from='Mixed_4d',
                        width_multiplier=W).inflate == top.inflate
    assert InceptionI3D(inflate={n: False for n in TOP_2D},
                        width_multiplier=W).inflate == top.inflate
    with pytest.raises(TypeError, match='fixes'):
        TopI3D(temporal_conv_from='Mixed_3b')
    with pytest.raises(ValueError, match='not both'):
        InceptionI3D(temporal_conv_from='Mixed_4d', inflate=[True] * 11)
    with pytest.raises(ValueError, match='unknown block'):
        InceptionI3D(out_indices='Mixed_6a')


def test_parameter_counts():
    i3d, top = InceptionI3D(), TopI3D()
    n_i3d, n_top = n_params(i3d), n_params(top)
    # Inception-v1 I3D without logits: 12.29 M; Top-I3D: 10.43 M
    assert 12.2e6 < n_i3d < 12.4e6
    assert n_top < n_i3d
    assert 0.8 < n_top / n_i3d < 0.9
    # same output layout, hence the same 1024-d feature
    assert top.out_channels == i3d.out_channels == 1024
    # piergiaj/pytorch-i3d parameter names
    keys = set(i3d.state_dict())
    assert {'Conv3d_1a_7x7.conv3d.weight', 'Conv3d_1a_7x7.bn.running_mean',
            'Mixed_5c.b1b.conv3d.weight', 'Mixed_5c.b3b.bn.bias'} <= keys
    assert not any(k.endswith('conv3d.bias') for k in keys)  # no conv bias


def test_norm_cfg_defaults():
    unit = InceptionI3D(width_multiplier=W).Mixed_5c.b0
    assert isinstance(unit, Unit3D)
    assert unit.bn.eps == 1e-3 and unit.bn.momentum == 0.01


def test_frozen_stages():
    model = TopI3D(width_multiplier=W, frozen_stages='Mixed_3c')
    model.train()
    frozen = ENDPOINTS[:ENDPOINTS.index('Mixed_3c') + 1]
    for name in model.block_names:
        block = getattr(model, name)
        params = list(block.parameters())
        if name in frozen:
            assert not any(p.requires_grad for p in params), name
            assert not any(m.training for m in block.modules()), name
        else:
            assert all(p.requires_grad for p in params), name
            assert all(m.training for m in block.modules()), name
    # an index works the same way: 0 freezes the stem conv only
    model = InceptionI3D(width_multiplier=W, frozen_stages=0).train()
    assert not model.Conv3d_1a_7x7.conv3d.weight.requires_grad
    assert model.Conv3d_2b_1x1.conv3d.weight.requires_grad
    # frozen BN statistics do not move in training
    model = InceptionI3D(width_multiplier=W, frozen_stages=0).train()
    before = model.Conv3d_1a_7x7.bn.running_mean.clone()
    model(torch.rand(2, 3, 4, 32, 32))
    assert torch.equal(model.Conv3d_1a_7x7.bn.running_mean, before)


def test_norm_eval():
    model = InceptionI3D(width_multiplier=W, norm_eval=True).train()
    bns = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    assert bns and not any(m.training for m in bns)
    assert model.training  # the rest trains
    assert all(p.requires_grad for p in model.parameters())
    model = InceptionI3D(width_multiplier=W, norm_eval=False).train()
    assert all(m.training for m in model.modules()
               if isinstance(m, _BatchNorm))


@pytest.mark.parametrize('backbone', [
    dict(type='InceptionI3D', width_multiplier=W),
    dict(type='TopI3D', width_multiplier=W),
])
def test_recognizer3d_loss_mode(backbone):
    model = MODELS.build(
        dict(
            type='Recognizer3D',
            backbone=backbone,
            cls_head=dict(
                type='I3DHead', num_classes=5, in_channels=256,
                spatial_type='avg', dropout_ratio=0.5),
            data_preprocessor=dict(
                type='ActionDataPreprocessor',
                mean=[123.675, 116.28, 103.53],
                std=[58.395, 57.12, 57.375],
                format_shape='NCTHW')))
    model.init_weights()
    names = dict(model.named_modules())
    assert 'backbone.Mixed_5c' in names and 'backbone.Mixed_4f' in names
    inputs = [torch.randint(0, 255, (1, 3, 8, 32, 32), dtype=torch.uint8)
              for _ in range(2)]
    samples = [ActionDataSample().set_gt_label(i) for i in range(2)]
    data = model.data_preprocessor(
        dict(inputs=inputs, data_samples=samples), training=True)
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss_cls'])
    losses['loss_cls'].backward()
    assert model.backbone.Conv3d_1a_7x7.conv3d.weight.grad is not None
