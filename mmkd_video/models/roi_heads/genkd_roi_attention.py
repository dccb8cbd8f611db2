"""GenKD's attention on RoI features, as AVARoIHead's shared head."""
from typing import Optional

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from mmkd_video.registry import MODELS


@MODELS.register_module()
class GenKDRoIAttention(BaseModule):
    """Weight each RoI feature by GenKD's channel x time attention.

    The detection counterpart of :class:`GenKDAttentionNeck`. mmaction2's
    ``AVARoIHead`` runs an optional ``shared_head`` between its RoI
    extractor and ``BBoxHeadAVA`` (``shared_head(roi_feats, feat=...,
    rois=..., img_metas=...)``, as its ACRN and FBO heads); placed there,
    the attention-weighted RoI feature is what the bbox head classifies, in
    training and test, without any change to mmaction2::

        roi_feats [N_roi, C_in, T, h, w]   (SingleRoIExtractor3D with
                                            with_temporal_pool=False)
          -> proj (optional) -> F [N_roi, C, T, h, w]     (feature_tap)
          -> A = head.attention(F) [N_roi, C, T]           (attention_tap)
          -> head.weight_feature(F, A) [N_roi, C, T, h, w] -> BBoxHeadAVA

    ``head`` is a full :class:`GenerativeAttentionHead`: its
    ``attention_branch`` is used here, its ``cvae`` by the distillation
    losses (``student.roi_head.shared_head.head.cvae`` gets its own
    optimizer).

    Args:
        in_channels (int): Channels of the RoI feature.
        num_frames (int): T of the RoI feature.
        roi_size (int | tuple[int, int]): The extractor's ``output_size``.
        channels (int, optional): Channels of ``F``; if it differs from
            ``in_channels`` a 1x1x1 conv + BN + ReLU projects first (a
            student projecting to its teacher's width, so the teacher's
            CVAE can read the student's ``F``). The bbox head then takes
            ``channels`` inputs.
        head (dict, optional): Extra :class:`GenerativeAttentionHead`
            arguments (``pool_size``, ``mid_channels``...).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 num_frames: int,
                 roi_size=8,
                 channels: Optional[int] = None,
                 head: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        channels = channels or in_channels
        self.proj = None
        if channels != in_channels:
            self.proj = ConvModule(
                in_channels, channels, 1, conv_cfg=dict(type='Conv3d'),
                norm_cfg=dict(type='BN3d'), act_cfg=dict(type='ReLU'))
        self.head = MODELS.build(
            dict(type='GenerativeAttentionHead', in_channels=channels,
                 num_frames=num_frames, feat_size=roi_size, **(head or {})))
        self.feature_tap = nn.Identity()
        self.attention_tap = nn.Identity()

    def forward(self, x: Tensor, feat: Optional[Tensor] = None,
                rois: Optional[Tensor] = None, img_metas=None) -> Tensor:
        """Return the attention-weighted RoI feature.

        Args:
            x (Tensor): RoI features ``[N_roi, C_in, T, h, w]``.
            feat, rois, img_metas: Passed by ``AVARoIHead``; unused.

        Returns:
            Tensor: ``[N_roi, C, T, h, w]``.
        """
        if x.dim() != 5:
            raise ValueError(f'GenKDRoIAttention expected RoI features '
                             f'[N_roi, C, T, h, w], but got {tuple(x.shape)}')
        roi_feat = self.proj(x) if self.proj is not None else x
        roi_feat = self.feature_tap(roi_feat)  # [N_roi, C, T, h, w]
        # [N_roi, C, T]
        att = self.attention_tap(self.head.attention(roi_feat))
        return self.head.weight_feature(roi_feat, att)
