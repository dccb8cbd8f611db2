"""Per-position class scores from a recognizer head's own classifier."""
import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmkd_video.registry import MODELS


@MODELS.register_module()
class ClassScoreMap(BaseModule):
    """Apply a head's linear classifier at every position of a feature map.

    ``S[n, k, t, h, w] = sum_c W[k, c] · F[n, c, t, h, w] + b[k]``: the 1x1x1
    convolution whose weights are the head's ``fc_cls``. For heads that
    average-pool before their classifier (I3DHead, SlowFastHead, X3DHead),
    the mean of these maps over positions equals the clip logits (dropout
    aside), so the maps are the spatio-temporally resolved logits that
    StructKD's pixel-wise and holistic terms act on.

    It has no parameters of its own: the classifier is passed per call
    (distiller ``module_inputs=dict(linear='student.cls_head.fc_cls')``), so
    gradients reach the student's real head and nothing is duplicated.

    Shapes:
        - feature: [N, C, *positions] (e.g. [N, C, T, H, W]).
        - linear: ``nn.Linear(C, K)``.
        - output: [N, K, *positions].
    """

    def forward(self, feature: torch.Tensor,
                linear: nn.Linear) -> torch.Tensor:
        """Score every position with the head's classifier.

        Args:
            feature (torch.Tensor): [N, C, *positions], e.g. the backbone's
                [N, C, T, H, W].
            linear (nn.Linear): The head's classifier, ``C -> K``.

        Returns:
            torch.Tensor: [N, K, *positions].
        """
        if feature.dim() < 3 or feature.shape[1] != linear.in_features:
            raise ValueError(
                f'ClassScoreMap expected a feature [N, {linear.in_features}, '
                f'...], but got {tuple(feature.shape)}')
        # [N, K, *positions]
        maps = torch.einsum('nc...,kc->nk...', feature, linear.weight)
        if linear.bias is not None:  # [1, K, 1, ...]
            maps = maps + linear.bias.view(1, -1, *[1] * (feature.dim() - 2))
        return maps
