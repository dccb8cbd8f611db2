import pytest
import torch

from mmkd_video.models.heads import GenerativeAttentionHead
from mmkd_video.registry import MODELS

SHAPES = [(16, 4, 7, 7), (32, 8, 4, 4), (64, 2, 3, 5)]


def _head(C, T, H, W, **kwargs):
    return GenerativeAttentionHead(C, num_frames=T, feat_size=(H, W),
                                   **kwargs)


@pytest.mark.parametrize('pool_size', [None, 2])
@pytest.mark.parametrize('shape', SHAPES)
def test_forward_shapes(shape, pool_size):
    C, T, H, W = shape
    head = _head(C, T, H, W, pool_size=pool_size)
    feat = torch.rand(2, C, T, H, W)
    out = head(feat)
    assert set(out) == {'att', 'recon', 'mu', 'logvar', 'prior_mean'}
    assert out['att'].shape == (2, C, T)
    assert out['recon'].shape == (2, C, T, H, W)
    recon_prior = head.reconstruct_from_prior(out['att'])
    assert recon_prior.shape == (2, C, T, H, W)
    for key in ('mu', 'logvar', 'prior_mean'):
        assert out[key].shape == (2, T, C)
    assert torch.equal(out['prior_mean'], out['att'].transpose(1, 2))
    # the final ReLU makes reconstructions non-negative, like the feature
    assert (out['recon'] >= 0).all() and (recon_prior >= 0).all()


def test_official_widths_default():
    head = GenerativeAttentionHead(64, num_frames=8)
    assert head.mid_channels == 32
    assert head.hidden_channels == 64
    assert head.latent_channels == 64
    assert head.temporal_upsample_len == 64
    assert head.attention_branch['fc'].in_features == 64
    assert head.attention_branch['fc'].out_features == 8
    # no pooling: the spatial conv spans the whole 7x7 feature
    assert head.attention_branch['spatial'][1].kernel_size == (1, 7, 7)


def test_group_norm_groups_divide_small_widths():
    head = _head(24, 2, 3, 3, mid_channels=6)
    groups = {m.num_channels: m.num_groups for m in head.modules()
              if isinstance(m, torch.nn.GroupNorm)}
    assert groups == {6: 1, 24: 6}  # groups of at least 4 channels
    head(torch.rand(1, 24, 2, 3, 3))


def test_attention_in_open_unit_interval():
    head = _head(16, 4, 7, 7)
    att = head.attention(torch.rand(3, 16, 4, 7, 7) * 10)
    assert att.shape == (3, 16, 4)
    assert (att > 0).all() and (att < 1).all()


def test_init_cfg_is_applied():
    head = _head(16, 4, 7, 7, init_cfg=dict(
        type='Constant', layer='Linear', val=0, bias=0))
    head.init_weights()
    # a zero Linear L->T gives logits 0, hence A = sigmoid(0) everywhere
    att = head.attention(torch.rand(2, 16, 4, 7, 7))
    assert torch.allclose(att, torch.full_like(att, 0.5))


def test_prior_mean_is_attention():
    torch.manual_seed(0)
    head = _head(16, 4, 7, 7)
    with torch.no_grad():
        att = head.attention(torch.rand(1, 16, 4, 7, 7))  # [1, C, T]
        samples = head.sample_prior(att.expand(4000, -1, -1))
    assert samples.shape == (4000, 4, 16)
    mean = samples.mean(0)
    assert torch.allclose(mean, att[0].t(), atol=0.08)
    assert torch.allclose(samples.std(0), torch.ones_like(mean), atol=0.08)
    # explicit noise: z = A^T + noise
    noise = torch.randn(1, 4, 16)
    assert torch.allclose(head.sample_prior(att, noise),
                          att.transpose(1, 2) + noise)


def test_reconstruct_from_prior_decodes_attention_plus_noise():
    head = _head(16, 4, 7, 7)
    feat = torch.rand(2, 16, 4, 7, 7)
    with torch.no_grad():
        att = head.attention(feat)
        noise = torch.randn(2, 4, 16)
        expected = head.decode(att.transpose(1, 2) + noise, att)
        assert torch.allclose(head.reconstruct_from_prior(att, noise),
                              expected)


def test_reparameterize():
    mu, logvar = torch.randn(2, 4, 16), torch.randn(2, 4, 16)
    noise = torch.randn(2, 4, 16)
    head = _head(16, 4, 7, 7)
    z = head.reparameterize(mu, logvar, noise)
    assert torch.allclose(z, mu + noise * torch.exp(0.5 * logvar))
    z = head.reparameterize(
        torch.zeros(20000, 1), torch.full((20000, 1), 2 * 0.693147))
    assert abs(z.std().item() - 2.0) < 0.1  # std = exp(logvar / 2) = 2


def test_weight_feature_keeps_per_sample_sum():
    feat = torch.rand(3, 8, 4, 5, 5)
    feat[1] *= 100  # samples of very different scale
    att = torch.rand(3, 8, 4)
    weighted = GenerativeAttentionHead.weight_feature(feat, att)
    assert weighted.shape == feat.shape
    assert torch.allclose(weighted.sum((1, 2, 3, 4)), feat.sum((1, 2, 3, 4)),
                          rtol=1e-4)
    # proportional to F * A within each sample
    ratio = weighted / (feat * att[..., None, None])
    assert torch.allclose(ratio[0], ratio[0].flatten()[0].expand_as(ratio[0]))
    # batch-wide (official) variant keeps only the batch total
    batch = GenerativeAttentionHead.weight_feature(feat, att,
                                                   per_sample=False)
    assert torch.allclose(batch.sum(), feat.sum(), rtol=1e-4)
    assert not torch.allclose(batch.sum((1, 2, 3, 4)),
                              feat.sum((1, 2, 3, 4)), rtol=1e-3)
    # all-zero sample: guarded denominator, no NaN
    feat[2] = 0
    weighted = GenerativeAttentionHead.weight_feature(feat, att)
    assert torch.isfinite(weighted).all() and (weighted[2] == 0).all()


def test_parameter_groups_disjoint_and_complete():
    head = _head(16, 4, 7, 7)
    att_ids = {id(p) for p in head.attention_branch.parameters()}
    cvae_ids = {id(p) for p in head.cvae.parameters()}
    all_ids = {id(p) for p in head.parameters()}
    assert att_ids and cvae_ids
    assert not att_ids & cvae_ids
    assert att_ids | cvae_ids == all_ids
    names = [n for n, _ in head.named_parameters()]
    assert all(n.startswith(('attention_branch.', 'cvae.')) for n in names)


def test_wrong_shapes_raise():
    head = _head(16, 4, 7, 7)
    with pytest.raises(ValueError, match='num_frames'):
        head(torch.rand(2, 16, 8, 7, 7))
    with pytest.raises(ValueError, match='feat_size'):
        head(torch.rand(2, 16, 4, 5, 5))
    with pytest.raises(ValueError, match=r'\[N, C, T\]'):
        head.decode(torch.rand(2, 4, 16), torch.rand(2, 16, 3))
    with pytest.raises(ValueError, match='latent_channels'):
        _head(16, 4, 7, 7, latent_channels=8)


def test_gradient_of_attention_loss_reaches_attention_branch_only():
    head = _head(16, 4, 7, 7)
    feat = torch.rand(2, 16, 4, 7, 7, requires_grad=True)
    head(feat)['att'].pow(2).sum().backward()
    assert feat.grad is not None and feat.grad.abs().sum() > 0
    for p in head.attention_branch.parameters():
        assert p.grad is not None
    assert any(p.grad.abs().sum() > 0
               for p in head.attention_branch.parameters())
    for p in head.cvae.parameters():
        assert p.grad is None


def test_given_attention_skips_attention_branch():
    head = _head(16, 4, 7, 7)
    att = torch.rand(2, 16, 4)
    out = head(torch.rand(2, 16, 4, 7, 7), att=att)
    assert out['att'] is att
    out['recon'].sum().backward()
    assert all(p.grad is None for p in head.attention_branch.parameters())
    assert all(p.grad is not None for p in head.cvae.parameters())


def test_build_from_registry():
    head = MODELS.build(dict(type='GenerativeAttentionHead', in_channels=16,
                             num_frames=4, feat_size=(4, 4)))
    assert isinstance(head, GenerativeAttentionHead)
    assert head(torch.rand(1, 16, 4, 4, 4))['recon'].shape == (1, 16, 4, 4,
                                                               4)
