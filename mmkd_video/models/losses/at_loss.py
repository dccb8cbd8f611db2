"""Attention transfer of Zagoruyko and Komodakis."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmkd_video.registry import MODELS
from .utils import check_ndim, shape_str


@MODELS.register_module()
class ATLoss(nn.Module):
    r"""Activation-based attention transfer (AT).

    From Zagoruyko and Komodakis, "Paying More Attention to Attention:
    Improving the Performance of Convolutional Neural Networks via Attention
    Transfer" (ICLR 2017). For a feature :math:`F` of shape (N, C, H, W) or
    (N, C, T, H, W) the attention map of sample n is the channel mean of the
    p-th power of the absolute activations, flattened over the M = H·W
    (spatial) or M = T·H·W (spatio-temporal) positions and L2-normalised:

    .. math::

        Q_n = \frac{q_n}{\max(\lVert q_n \rVert_2, 10^{-12})}, \qquad
        q_{n,m} = \frac{1}{C} \sum_{c=1}^{C} |F_{n,c,m}|^p

    and the loss is the squared difference averaged over the batch **and
    over the positions**, as in the official code (``(at(x) - at(y))
    .pow(2).mean()``, szagoruyko/attention-transfer):

    .. math::

        L = w \cdot \frac{1}{N M} \sum_{n=1}^{N}
            \lVert Q^S_n - Q^T_n \rVert_2^2

    The default ``loss_weight`` 500 is the official :math:`\beta/2` with
    :math:`\beta = 1000` (the paper's Eq. 2 writes :math:`\beta/2` times the
    p-norm of the difference; the code uses the mean of squares above).
    Because of the 1/M, the value shrinks with the map size, so large
    spatio-temporal maps may want a larger weight. The channel mean (rather
    than the paper's channel sum) only rescales q, which the normalisation
    removes.

    The channel counts of student and teacher may differ; the batch size and
    the temporal/spatial sizes must match. The teacher feature is detached
    inside the loss.

    Args:
        p (float): The power applied to the absolute activations. Defaults
            to 2 (the paper's choice).
        loss_weight (float): The factor :math:`w`. Defaults to 500.0
            (:math:`\beta/2`, official code).

    Shapes:
        - feat_S: (N, C_S, H, W) or (N, C_S, T, H, W).
        - feat_T: (N, C_T, H, W) or (N, C_T, T, H, W), same layout.
        - output: () scalar.

    Examples:
        >>> import torch
        >>> loss = ATLoss(p=2)
        >>> feat_S = torch.randn(2, 64, 4, 7, 7, requires_grad=True)
        >>> feat_T = torch.randn(2, 256, 4, 7, 7)
        >>> loss(feat_S, feat_T).backward()
    """

    def __init__(self, p: float = 2, loss_weight: float = 500.0) -> None:
        super().__init__()
        if p <= 0:
            raise ValueError(f'ATLoss: expected p > 0, but got {p}.')
        self.p = p
        self.loss_weight = float(loss_weight)

    def attention_map(self, feat: torch.Tensor) -> torch.Tensor:
        """Return the normalised attention map Q of shape (N, M).

        Args:
            feat (torch.Tensor): (N, C, H, W) or (N, C, T, H, W).

        Returns:
            torch.Tensor: (N, M), M = H·W or T·H·W, unit L2 norm per row.
        """
        q = feat.float().abs().pow(self.p).mean(dim=1)  # [N, (T,) H, W]
        return F.normalize(q.flatten(1), p=2, dim=1)  # [N, M]

    def forward(self, feat_S: torch.Tensor,
                feat_T: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            feat_S (torch.Tensor): Student feature, (N, C_S, H, W) or
                (N, C_S, T, H, W).
            feat_T (torch.Tensor): Teacher feature of the same layout and
                (T, H, W); detached.

        Returns:
            torch.Tensor: The scalar loss, already multiplied by
            ``loss_weight``.
        """
        layout = '(N, C, H, W) or (N, C, T, H, W)'
        check_ndim('ATLoss', 'feat_S', feat_S, (4, 5), layout)
        check_ndim('ATLoss', 'feat_T', feat_T, (4, 5), layout)
        if (feat_S.dim() != feat_T.dim() or feat_S.shape[0] != feat_T.shape[0]
                or feat_S.shape[2:] != feat_T.shape[2:]):
            raise ValueError(
                'ATLoss: expected feat_S with the same batch size and '
                'temporal/spatial size as feat_T '
                f'{shape_str(feat_T.shape)} (channels may differ), but got '
                f'{shape_str(feat_S.shape)}; add a connector (e.g. '
                "'ResizeConnector') to match the sizes.")
        feat_T = feat_T.detach()
        # [N, M]
        diff = self.attention_map(feat_S) - self.attention_map(feat_T)
        return self.loss_weight * diff.pow(2).mean()
