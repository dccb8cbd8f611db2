import pytest
import torch

from mmkd_video.models.distillers import ModuleRecorder
from mmkd_video.models.necks import GenKDAttentionNeck


@pytest.mark.parametrize('in_channels,channels', [(16, None), (8, 32)])
def test_weighted_feature_and_taps(in_channels, channels):
    neck = GenKDAttentionNeck(in_channels, num_frames=2, feat_size=3,
                              channels=channels, head=dict(num_groups=4))
    c = channels or in_channels
    x = torch.rand(2, in_channels, 2, 3, 3)
    feat_rec = ModuleRecorder(neck, 'feature_tap')
    att_rec = ModuleRecorder(neck, 'attention_tap')
    with feat_rec.recording(), att_rec.recording():
        out, aux = neck(x, data_samples=None)
    assert aux == {}
    feat, att = feat_rec.data, att_rec.data
    assert feat.shape == (2, c, 2, 3, 3) and att.shape == (2, c, 2)
    assert (neck.proj is None) == (channels is None)
    if channels is None:
        assert torch.equal(feat, x)
    # F ⊙ A, rescaled so that each sample keeps its total activation
    expected = feat * att[..., None, None]
    expected = expected * feat.sum((1, 2, 3, 4), keepdim=True) / \
        expected.sum((1, 2, 3, 4), keepdim=True)
    assert torch.allclose(out, expected, atol=1e-5)
    assert torch.allclose(out.sum((1, 2, 3, 4)), feat.sum((1, 2, 3, 4)),
                          rtol=1e-4)


def test_test_attention_switch():
    neck = GenKDAttentionNeck(16, num_frames=2, feat_size=3,
                              test_attention=False, head=dict(num_groups=4))
    x = torch.rand(1, 16, 2, 3, 3)
    neck.eval()
    out, _ = neck(x)
    assert torch.equal(out, x)  # deployed without the attention
    neck.train()
    out, _ = neck(x)
    assert not torch.equal(out, x)  # trained with it
