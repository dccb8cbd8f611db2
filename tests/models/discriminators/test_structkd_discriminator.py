import pytest
import torch
from torch.nn.utils import parametrize

from mmkd_video.models.discriminators import (SelfAttentionBlock,
                                              StructKDDiscriminator)
from mmkd_video.registry import MODELS


@pytest.mark.parametrize('dims, shape', [
    (2, (2, 5, 64, 64)),
    (2, (2, 5, 8, 8)),
    (2, (3, 5, 5, 7)),
    (2, (2, 5, 1, 1)),
    (3, (2, 5, 8, 7, 7)),
    (3, (2, 5, 2, 4, 4)),
    (3, (2, 5, 1, 1, 1)),
    (3, (2, 5, 4, 16, 16)),
])
def test_output_shape_and_gradient(dims, shape):
    disc = StructKDDiscriminator(5, base_channels=8, dims=dims)
    score = torch.randn(*shape, requires_grad=True)
    out = disc(score)
    assert out.shape == (shape[0], )
    assert torch.isfinite(out).all()
    out.sum().backward()
    assert score.grad is not None and score.grad.abs().sum() > 0


def test_architecture():
    disc = StructKDDiscriminator(19)
    assert [c.out_channels for c in disc.convs] == [64, 128, 256, 512]
    assert all(c.stride == (2, 2) and c.kernel_size == (4, 4)
               for c in disc.convs)
    assert disc.last_conv.out_channels == 1
    blocks = [type(a).__name__ for a in disc.attentions]
    assert blocks == ['Identity', 'Identity', 'SelfAttentionBlock',
                      'SelfAttentionBlock']
    assert isinstance(disc.input_norm, torch.nn.BatchNorm2d)
    assert disc.act.negative_slope == 0.1
    disc3d = StructKDDiscriminator(19, dims=3, temporal_kernel_size=3,
                                   temporal_stride=1, with_input_norm=False)
    assert all(c.kernel_size == (3, 4, 4) and c.stride == (1, 2, 2)
               for c in disc3d.convs)
    assert isinstance(disc3d.input_norm, torch.nn.Identity)


@pytest.mark.parametrize('dims', [2, 3])
def test_spectral_norm_on_convs(dims):
    disc = StructKDDiscriminator(5, base_channels=8, dims=dims)
    for conv in disc.convs:
        assert parametrize.is_parametrized(conv, 'weight')
    assert not parametrize.is_parametrized(disc.last_conv, 'weight')
    torch.manual_seed(0)  # power iteration speed depends on the init
    disc = StructKDDiscriminator(5, base_channels=8, dims=dims,
                                 last_spectral_norm=True)
    assert parametrize.is_parametrized(disc.last_conv, 'weight')
    # the effective weights have spectral norm 1 (as a matrix out x rest)
    # (the raw weights' norms are about 0.6-0.8 at PyTorch's init)
    disc.train()
    x = torch.randn(1, 5, *([2] * dims))
    for _ in range(100):  # one power iteration per training forward
        disc(x)
    for conv in list(disc.convs) + [disc.last_conv]:
        sigma = torch.linalg.matrix_norm(conv.weight.flatten(1), ord=2)
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
    disc = StructKDDiscriminator(5, base_channels=8, dims=3, with_image=True)
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
    disc2d = StructKDDiscriminator(5, base_channels=8, with_image=True)
    assert disc2d(torch.randn(2, 5, 8, 8),
                  torch.rand(2, 3, 64, 64)).shape == (2, )
    with pytest.raises(ValueError, match='with_image=False'):
        StructKDDiscriminator(5, base_channels=8)(torch.randn(2, 5, 8, 8),
                                                  torch.rand(2, 3, 64, 64))


def test_wrong_input_raises():
    disc = StructKDDiscriminator(5, base_channels=8, dims=3)
    with pytest.raises(ValueError, match='K=5'):
        disc(torch.randn(2, 4, 4, 8, 8))
    with pytest.raises(ValueError, match=r'\[N, K, T, H, W\]'):
        disc(torch.randn(2, 5, 8, 8))
    with pytest.raises(ValueError, match='dims'):
        StructKDDiscriminator(5, dims=1)


def test_gradient_penalty_double_backward():
    disc = StructKDDiscriminator(5, base_channels=8, dims=3)
    x = torch.randn(2, 5, 4, 8, 8, requires_grad=True)
    grad, = torch.autograd.grad(disc(x).sum(), x, create_graph=True)
    penalty = ((grad.flatten(1).norm(dim=1) - 1)**2).mean()
    penalty.backward()
    first = disc.convs[0].parametrizations.weight.original
    assert first.grad is not None and first.grad.abs().sum() > 0


def test_build_from_registry():
    disc = MODELS.build(dict(type='StructKDDiscriminator', in_channels=5,
                             base_channels=8, dims=3))
    assert isinstance(disc, StructKDDiscriminator)
    assert disc(torch.randn(2, 5, 2, 4, 4)).shape == (2, )
