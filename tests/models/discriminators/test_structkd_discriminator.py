import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import parametrize

from mmkd_video.models.discriminators import (SelfAttentionBlock,
                                              StructKDDiscriminator)
from mmkd_video.registry import MODELS


@pytest.mark.parametrize('size', [
    (64, 64), (128, 96), (8, 8), (5, 7), (1, 1),      # 2D
    (4, 2, 2), (8, 2, 2), (4, 8, 8), (8, 7, 7), (1, 1, 1),  # 3D
])
def test_output_shape_and_gradient(size):
    disc = StructKDDiscriminator(5, size, base_channels=8)
    score = torch.randn(2, 5, *size, requires_grad=True)
    out = disc(score)
    assert out.shape == (2, )
    assert torch.isfinite(out).all()
    out.sum().backward()
    assert score.grad is not None and score.grad.abs().sum() > 0


def _effective(conv):
    return conv.weight  # spectral-normed weight as the forward uses it


def _official_reference(disc, x):
    """The official 2D SAGAN critic written out with functional ops on the
    module's own (spectral-normed) weights: 4 x [conv k4 s2 p1, LeakyReLU
    0.1], self-attention after the 3rd and 4th, final conv k4, no padding."""
    for i, conv in enumerate(disc.convs):
        x = F.leaky_relu(F.conv2d(x, _effective(conv), conv.bias, stride=2,
                                  padding=1), 0.1)
        if i >= 2:
            att = disc.attentions[i]
            n, c = x.shape[:2]
            q = F.conv2d(x, att.query.weight, att.query.bias).flatten(2)
            k = F.conv2d(x, att.key.weight, att.key.bias).flatten(2)
            v = F.conv2d(x, att.value.weight, att.value.bias).flatten(2)
            attn = torch.softmax(q.transpose(1, 2) @ k, dim=-1)
            x = att.gamma * (v @ attn.transpose(1, 2)).view_as(x) + x
    return F.conv2d(x, disc.last.weight, disc.last.bias)  # [N, 1, h, w]


@pytest.mark.parametrize('size', [(64, 64), (96, 128)])
def test_official_layout_on_64x64_and_larger(size):
    disc = StructKDDiscriminator(19, size)
    assert [c.out_channels for c in disc.convs] == [64, 128, 256, 512]
    assert all(c.kernel_size == (4, 4) and c.stride == (2, 2)
               and c.padding == (1, 1) for c in disc.convs)
    assert all(parametrize.is_parametrized(c, 'weight') for c in disc.convs)
    assert [type(a).__name__ for a in disc.attentions] == [
        'Identity', 'Identity', 'SelfAttentionBlock', 'SelfAttentionBlock']
    assert isinstance(disc.last, torch.nn.Conv2d)
    assert disc.last.kernel_size == (4, 4) and disc.last.padding == (0, 0)
    assert disc.last.out_channels == 1
    assert not parametrize.is_parametrized(disc.last, 'weight')
    assert isinstance(disc.input_norm, torch.nn.Identity)
    assert disc.stage_sizes == tuple(s // 16 for s in size)
    disc.eval()  # no power iteration, so both see the same weights
    for att in disc.attentions[2:]:
        torch.nn.init.constant_(att.gamma, 0.5)
    x = torch.randn(2, 19, *size)
    ref = _official_reference(disc, x)
    assert ref.shape[2:] == tuple(s // 16 - 3 for s in size)
    torch.testing.assert_close(disc(x), ref.flatten(1).mean(dim=1))


def test_small_map_layout():
    # the demo's class maps: a dim is halved only while it is >= 4, no
    # conv over the zero padding of a 1-long dim, and a map smaller than 4
    # ends in global pooling and a linear score
    disc = StructKDDiscriminator(10, (4, 2, 2), base_channels=16)
    assert disc.convs[0].kernel_size == (4, 3, 3)
    assert disc.convs[0].stride == (2, 1, 1)
    assert all(c.kernel_size == (3, 3, 3) and c.stride == (1, 1, 1)
               for c in disc.convs[1:])
    assert disc.stage_sizes == (2, 2, 2)
    assert isinstance(disc.last, torch.nn.Linear)
    # a T=8 map is halved in time twice: 8 -> 4 -> 2
    disc = StructKDDiscriminator(5, (8, 2, 2), base_channels=8)
    assert [c.stride for c in disc.convs] == [(2, 1, 1), (2, 1, 1),
                                              (1, 1, 1), (1, 1, 1)]
    assert disc.stage_sizes == (2, 2, 2)
    # per-RoI maps [N_roi, K, 4, 8, 8]: (4, 8, 8) -> (2, 4, 4) -> (2, 2, 2)
    disc = StructKDDiscriminator(6, (4, 8, 8), base_channels=8)
    assert disc.convs[0].stride == (2, 2, 2)
    assert disc.convs[1].stride == (1, 2, 2)
    assert disc.stage_sizes == (2, 2, 2)
    # a 16x16 2D map: 16 -> 8 -> 4 -> 2 -> 2
    disc = StructKDDiscriminator(6, (16, 16), base_channels=8)
    assert disc.stage_sizes == (2, 2)
    assert isinstance(disc.last, torch.nn.Linear)
    # a 1x1 map: pointwise convs, no attention over a single position
    disc = StructKDDiscriminator(5, (1, 1), base_channels=8)
    assert all(c.kernel_size == (1, 1) for c in disc.convs)
    assert all(isinstance(a, torch.nn.Identity) for a in disc.attentions)


@pytest.mark.parametrize('size, input_norm', [
    ((4, 2, 2), None), ((4, 8, 8), None), ((64, 64), None),
    ((4, 2, 2), 'layer')])
def test_no_batch_statistics(size, input_norm):
    # WGAN-GP's penalty is per sample: a sample's score must not depend on
    # the other samples of the batch, in train mode too
    disc = StructKDDiscriminator(5, size, base_channels=8,
                                 input_norm=input_norm).train()
    x = torch.randn(4, 5, *size, requires_grad=True)
    grad, = torch.autograd.grad(disc(x)[0], x)
    assert grad[0].abs().sum() > 0
    assert torch.equal(grad[1:], torch.zeros_like(grad[1:]))


def test_input_norm_layer_is_per_sample():
    disc = StructKDDiscriminator(5, (4, 2, 2), base_channels=8,
                                 input_norm='layer').eval()
    x = torch.randn(3, 5, 4, 2, 2)
    # scaling and shifting one sample's logits leaves its score unchanged
    x2 = x.clone()
    x2[1] = 3 * x2[1] + 2
    torch.testing.assert_close(disc(x2), disc(x), atol=1e-5, rtol=1e-4)
    with pytest.raises(ValueError, match='input_norm'):
        StructKDDiscriminator(5, (4, 2, 2), input_norm='batch')


@pytest.mark.parametrize('size', [(2, 2), (4, 2, 2)])
def test_spectral_norm_on_convs(size):
    disc = StructKDDiscriminator(5, size, base_channels=8)
    assert all(parametrize.is_parametrized(c, 'weight') for c in disc.convs)
    assert not parametrize.is_parametrized(disc.last, 'weight')
    torch.manual_seed(0)  # power iteration speed depends on the init
    disc = StructKDDiscriminator(5, size, base_channels=8,
                                 last_spectral_norm=True)
    assert parametrize.is_parametrized(disc.last, 'weight')
    # the effective weights have spectral norm 1 (as a matrix out x rest)
    disc.train()
    x = torch.randn(1, 5, *size)
    for _ in range(100):  # one power iteration per training forward
        disc(x)
    for layer in list(disc.convs) + [disc.last]:
        sigma = torch.linalg.matrix_norm(layer.weight.flatten(1), ord=2)
        assert abs(sigma.item() - 1) < 0.03


@pytest.mark.parametrize('dims, shape', [(2, (2, 16, 5, 6)),
                                         (3, (2, 16, 3, 4, 5))])
def test_self_attention_block(dims, shape):
    block = SelfAttentionBlock(16, dims=dims)
    assert block.query.out_channels == 2 and block.value.out_channels == 16
    x = torch.randn(*shape)
    assert block.gamma.item() == 0
    assert torch.equal(block(x), x)  # identity at initialization
    # gamma still gets a gradient, so it can move away from 0
    block(x).pow(2).sum().backward()
    assert block.gamma.grad is not None and block.gamma.grad.abs() > 0
    with torch.no_grad():
        block.gamma.fill_(1)
    out = block(x)
    assert out.shape == x.shape and not torch.allclose(out, x)
    # each output position mixes information from every position
    x2 = x.clone()
    x2.view(2, 16, -1)[:, :, -1] += 5
    diff = (block(x2) - out).view(2, 16, -1)[:, :, 0]
    assert diff.abs().sum() > 0
    with pytest.raises(ValueError, match='channels'):
        block(torch.randn(2, 8, *shape[2:]))


def test_with_image():
    disc = StructKDDiscriminator(5, (4, 7, 7), base_channels=8,
                                 with_image=True)
    assert disc.convs[0].in_channels == 5 + 3
    disc.eval()
    score = torch.randn(2, 5, 4, 7, 7)
    image = torch.rand(2, 3, 16, 56, 56)
    out = disc(score, image)
    assert out.shape == (2, )
    assert not torch.allclose(out, disc(score, torch.rand(2, 3, 16, 56, 56)))
    with pytest.raises(ValueError, match='no image'):
        disc(score)
    with pytest.raises(ValueError, match='image'):
        disc(score, torch.rand(2, 3, 56, 56))
    disc2d = StructKDDiscriminator(5, (8, 8), base_channels=8,
                                   with_image=True)
    assert disc2d(torch.randn(2, 5, 8, 8),
                  torch.rand(2, 3, 64, 64)).shape == (2, )
    with pytest.raises(ValueError, match='with_image=False'):
        StructKDDiscriminator(5, (8, 8), base_channels=8)(
            torch.randn(2, 5, 8, 8), torch.rand(2, 3, 64, 64))


def test_wrong_input_raises():
    disc = StructKDDiscriminator(5, (4, 8, 8), base_channels=8)
    with pytest.raises(ValueError, match='K=5'):
        disc(torch.randn(2, 4, 4, 8, 8))
    with pytest.raises(ValueError, match=r'\[N, K, T, H, W\]'):
        disc(torch.randn(2, 5, 8, 8))
    big = StructKDDiscriminator(5, (64, 64), base_channels=8)
    with pytest.raises(ValueError, match=r'input_size'):
        big(torch.randn(2, 5, 48, 48))  # 48 -> 3: no room for the 4x4 head
    # other sizes the layout fits run through the same layers
    assert disc(torch.randn(2, 5, 4, 10, 10)).shape == (2, )
    assert big(torch.randn(2, 5, 80, 72)).shape == (2, )
    small = StructKDDiscriminator(5, (7, 7), base_channels=8)
    assert small(torch.randn(2, 5, 4, 4)).shape == (2, )
    with pytest.raises(ValueError, match=r'input_size'):
        StructKDDiscriminator(5, (8, ))
    with pytest.raises(ValueError, match=r'input_size'):
        StructKDDiscriminator(5, (4, 0, 8))


def test_gradient_penalty_double_backward():
    disc = StructKDDiscriminator(5, (4, 8, 8), base_channels=8)
    x = torch.randn(2, 5, 4, 8, 8, requires_grad=True)
    grad, = torch.autograd.grad(disc(x).sum(), x, create_graph=True)
    penalty = ((grad.flatten(1).norm(dim=1) - 1)**2).mean()
    penalty.backward()
    first = disc.convs[0].parametrizations.weight.original
    assert first.grad is not None and first.grad.abs().sum() > 0


def test_build_from_registry():
    disc = MODELS.build(dict(type='StructKDDiscriminator', in_channels=5,
                             input_size=(2, 4, 4), base_channels=8))
    assert isinstance(disc, StructKDDiscriminator)
    assert disc(torch.randn(2, 5, 2, 4, 4)).shape == (2, )


@pytest.mark.parametrize('dims, shape', [(2, (3, 16, 2, 3)),
                                         (3, (3, 16, 2, 2, 2))])
def test_self_attention_is_sagan_with_1x1_convs(dims, shape):
    # the block runs its three projections as one matrix product; it must
    # equal SAGAN written with 1x1 convs, through the penalty's double
    # backward
    block = SelfAttentionBlock(16, dims=dims).double()
    nn.init.constant_(block.gamma, 0.7)
    conv = F.conv2d if dims == 2 else F.conv3d

    def sagan(x):
        q, k, v = (conv(x, p.weight, p.bias).flatten(2)
                   for p in (block.query, block.key, block.value))
        attn = torch.bmm(q.transpose(1, 2), k).softmax(dim=-1)
        return block.gamma * torch.bmm(v, attn.transpose(1, 2)).view_as(x) + x

    def penalty_grads(fn):
        block.zero_grad()
        x = torch.randn(*shape, dtype=torch.float64, requires_grad=True,
                        generator=torch.Generator().manual_seed(0))
        y = fn(x)
        grad, = torch.autograd.grad(y.square().sum(), x, create_graph=True)
        grad.square().sum().backward()
        return [y, grad] + [p.grad.clone() for p in block.parameters()]

    for a, b in zip(penalty_grads(block), penalty_grads(sagan)):
        torch.testing.assert_close(a, b)
