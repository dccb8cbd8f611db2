"""GenKD's attention inside an mmaction2 recognizer, as a neck."""
from typing import Optional, Tuple

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from mmkd_video.registry import MODELS


@MODELS.register_module()
class GenKDAttentionNeck(BaseModule):
    """Weight the backbone feature by GenKD's channel x time attention.

    GenKD classifies from the attention-weighted feature ``F ⊙ A`` rescaled
    to keep ``sum(F)`` (official RGB student and teacher). Placed as the
    ``neck`` of an mmaction2 ``Recognizer3D`` (which calls
    ``neck(x, data_samples=...)`` in training and ``neck(x)`` in test), the
    weighting becomes part of the model's own forward, so the task loss and
    test accuracy use it without any change to mmaction2::

        x [N, C_in, T, H, W] -> proj (optional) -> F [N, C, T, H, W]
          -> A = head.attention(F) [N, C, T]
          -> head.weight_feature(F, A) [N, C, T, H, W] -> cls_head

    ``head`` is a full :class:`GenerativeAttentionHead`: its
    ``attention_branch`` is used here, its ``cvae`` by the distillation
    losses (GenKD trains the CVAE with its own optimizer:
    ``student.neck.head.cvae``).

    Two identity taps make the tensors the losses need recordable by dotted
    path: ``feature_tap`` (``F``, after the projection) and
    ``attention_tap`` (``A``).

    Args:
        in_channels (int): Channels of the backbone feature.
        num_frames (int): T of the backbone feature.
        feat_size (int | tuple[int, int]): H, W of the backbone feature.
        channels (int, optional): Channels of ``F``. If it differs from
            ``in_channels`` a 1x1x1 conv + BN + ReLU projects the feature
            first (e.g. to the teacher's width, so the student's attention
            and the teacher's CVAE see the teacher's channel layout).
        head (dict, optional): Extra :class:`GenerativeAttentionHead`
            arguments (``mid_channels``, ``pool_size``...).
        test_attention (bool): Apply the attention at test time too (as the
            official RGB test does). ``False`` deploys ``proj`` alone.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 num_frames: int,
                 feat_size=7,
                 channels: Optional[int] = None,
                 head: Optional[dict] = None,
                 test_attention: bool = True,
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
                 num_frames=num_frames, feat_size=feat_size,
                 **(head or {})))
        self.feature_tap = nn.Identity()
        self.attention_tap = nn.Identity()
        self.test_attention = test_attention

    def forward(self, x: Tensor, data_samples=None) -> Tuple[Tensor, dict]:
        """Return the weighted feature and no auxiliary loss."""
        feat = self.proj(x) if self.proj is not None else x
        feat = self.feature_tap(feat)  # [N, C, T, H, W]
        if not self.training and not self.test_attention:
            return feat, dict()
        att = self.attention_tap(self.head.attention(feat))  # [N, C, T]
        return self.head.weight_feature(feat, att), dict()
