"""FitNet hint loss (feature regression)."""
import torch
import torch.nn as nn

from mmkd_video.registry import MODELS
from .utils import check_same_shape


@MODELS.register_module()
class FeatureMSELoss(nn.Module):
    r"""Mean squared error between a student and a teacher feature.

    The hint loss of Romero et al., "FitNets: Hints for Thin Deep Nets"
    (ICLR 2015), with a mean instead of the paper's :math:`\frac{1}{2}`-sum so
    its size does not depend on the feature size:

    .. math::

        L = w \cdot \frac{1}{|F|} \sum_i \left(F^S_i - F^T_i\right)^2

    where the sum runs over all elements of the (equal-shape) features. The
    student feature is expected to have been mapped to the teacher's shape
    already (FitNets' "regressor"), e.g. by a ``'ConvNormConnector'`` for the
    channels or a ``'ResizeConnector'`` for the spatio-temporal size. The
    teacher feature is detached inside the loss.

    Args:
        loss_weight (float): The factor :math:`w`. Defaults to 1.0.

    Shapes:
        - feat_S: any shape, e.g. (N, C, T, H, W).
        - feat_T: the same shape as ``feat_S``.
        - output: () scalar.

    Examples:
        >>> import torch
        >>> loss = FeatureMSELoss(loss_weight=1.0)
        >>> feat_S = torch.randn(2, 8, 4, 7, 7, requires_grad=True)
        >>> feat_T = torch.randn(2, 8, 4, 7, 7)
        >>> loss(feat_S, feat_T).backward()
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = float(loss_weight)

    def forward(self, feat_S: torch.Tensor,
                feat_T: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            feat_S (torch.Tensor): Student feature (after a connector).
            feat_T (torch.Tensor): Teacher feature of the same shape;
                detached.

        Returns:
            torch.Tensor: The scalar loss, already multiplied by
            ``loss_weight``.
        """
        check_same_shape(
            'FeatureMSELoss', 'feat_T', feat_T, 'feat_S', feat_S,
            "add a connector to the student feature (e.g. "
            "'ConvNormConnector' for the channels, 'ResizeConnector' for "
            'the temporal/spatial size) so it matches the teacher.')
        feat_T = feat_T.detach()
        diff = feat_S.float() - feat_T.float()  # e.g. [N, C, T, H, W]
        return self.loss_weight * diff.pow(2).mean()
