import os.path as osp

import pytest
import torch

from mmkd_video.models.distillers import ModuleRecorder, build_model_from_spec
from mmkd_video.models.roi_heads import GenKDRoIAttention

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))
GENKD_STUDENT = osp.join(REPO, 'configs', '_base_', 'models',
                         'ava_fastrcnn_slowonly-r18-w4_genkd.py')


@pytest.mark.parametrize('in_channels,channels', [(16, None), (8, 32)])
def test_weighted_roi_feature_and_taps(in_channels, channels):
    head = GenKDRoIAttention(in_channels, num_frames=4, roi_size=8,
                             channels=channels,
                             head=dict(num_groups=4, pool_size=2))
    c = channels or in_channels
    x = torch.rand(5, in_channels, 4, 8, 8)  # 5 RoIs
    feat_rec = ModuleRecorder(head, 'feature_tap')
    att_rec = ModuleRecorder(head, 'attention_tap')
    with feat_rec.recording(), att_rec.recording():
        out = head(x, feat=None, rois=torch.zeros(5, 5), img_metas=[])
    feat, att = feat_rec.data, att_rec.data
    assert feat.shape == out.shape == (5, c, 4, 8, 8)
    assert att.shape == (5, c, 4)
    if channels is None:
        assert torch.equal(feat, x)
    # F ⊙ A, rescaled so that each RoI keeps its total activation
    expected = feat * att[..., None, None]
    expected = expected * feat.sum((1, 2, 3, 4), keepdim=True) / \
        expected.sum((1, 2, 3, 4), keepdim=True)
    assert torch.allclose(out, expected, atol=1e-5)


def test_rejects_temporally_pooled_features():
    head = GenKDRoIAttention(16, num_frames=1, roi_size=8,
                             head=dict(num_groups=4))
    with pytest.raises(ValueError, match=r'\[N_roi, C, T, h, w\]'):
        head(torch.rand(5, 16, 8, 8))


def test_bbox_head_classifies_the_weighted_feature_inside_fastrcnn():
    """As AVARoIHead's shared head, the attention sits between mmaction2's
    RoI extractor and BBoxHeadAVA, in prediction as in training."""
    model = build_model_from_spec(GENKD_STUDENT, 'student').eval()
    x = model.extract_feat(torch.randn(1, 3, 4, 64, 64))
    rois = torch.tensor([[0., 4., 4., 30., 30.], [0., 20., 10., 60., 50.]])
    shared = ModuleRecorder(model, 'roi_head.shared_head')
    head_in = ModuleRecorder(model, 'roi_head.bbox_head', source='input')
    extractor = ModuleRecorder(model, 'roi_head.bbox_roi_extractor',
                               index=0)
    with shared.recording(), head_in.recording(), extractor.recording():
        scores = model.roi_head._bbox_forward(x, rois, [{}])['cls_score']
    assert extractor.data.shape == (2, 32, 4, 8, 8)
    assert head_in.data.shape == (2, 256, 4, 8, 8)  # projected, weighted
    assert torch.equal(head_in.data, shared.data)
    assert scores.shape == (2, 6)
