"""StructKD's pixel-wise (per-position) distillation term."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmkd_video.registry import MODELS
from .utils import check_ndim, shape_str


@MODELS.register_module()
class PixelWiseDistillLoss(nn.Module):
    r"""Per-position KL divergence between teacher and student class maps.

    The pixel-wise term of Liu et al., "Structured Knowledge Distillation
    for Dense Prediction" (CVPR 2019 / TPAMI 2020; official code
    irfanICMLL/structure_knowledge_distillation). For class scores of shape
    (N, K, ...) with P positions per sample (the product of the trailing
    dims; P = 1 for plain (N, K) logits), with softmax over K:

    .. math::

        L = w \cdot \tau^2 \cdot \frac{1}{N P} \sum_{n, i} \sum_{k=1}^{K}
            p^T_{nki} \left(\log p^T_{nki} - \log p^S_{nki}\right),
        \quad p = \mathrm{softmax}_k(z / \tau)

    Relation to the official ``CriterionPixelWise``: it sums the
    cross-entropy :math:`-\sum_k p^T \log p^S` over the batch and the
    positions and divides by H·W only, i.e. it is **N times** a
    per-position mean, with :math:`\lambda_{pi} = 10` and :math:`\tau = 1`.
    The cross-entropy and the KL differ by the teacher entropy, a constant,
    so their gradients are equal. This loss keeps the mean over N·P (its
    value and gradient do not grow with the batch size), so the official
    effective weight at the official batch size N = 8 is
    :math:`w = 10 \times 8 = 80`, the default here and in the shipped
    configs: at N = 8 the gradient equals the official one exactly; at
    another batch size it equals the official gradient at N = 8 per sample
    (the official one scales with N).

    The teacher scores are detached inside the loss.

    Args:
        tau (float): Softmax temperature. Defaults to 1.0 (official code).
        loss_weight (float): The factor :math:`w`. Defaults to 80.0 (the
            official ``lambda_pi`` = 10 times the official batch size 8, see
            above).

    Shapes:
        - preds_S: (N, K), (N, K, H, W), (N, K, T, H, W) or any (N, K, ...).
        - preds_T: the same shape as ``preds_S``.
        - output: () scalar.

    Examples:
        >>> import torch
        >>> loss = PixelWiseDistillLoss()
        >>> preds_S = torch.randn(2, 5, 4, 7, 7, requires_grad=True)
        >>> preds_T = torch.randn(2, 5, 4, 7, 7)
        >>> loss(preds_S, preds_T).backward()
    """

    def __init__(self, tau: float = 1.0, loss_weight: float = 80.0) -> None:
        super().__init__()
        if tau <= 0:
            raise ValueError(
                f'PixelWiseDistillLoss: expected tau > 0, but got {tau}.')
        self.tau = float(tau)
        self.loss_weight = float(loss_weight)

    def forward(self, preds_S: torch.Tensor,
                preds_T: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            preds_S (torch.Tensor): Student class scores, (N, K, ...).
            preds_T (torch.Tensor): Teacher class scores, same shape;
                detached.

        Returns:
            torch.Tensor: The scalar loss, already multiplied by
            ``loss_weight``.
        """
        name = 'PixelWiseDistillLoss'
        check_ndim(name, 'preds_S', preds_S, range(2, 16), '(N, K, ...)')
        if preds_S.shape[:2] != preds_T.shape[:2]:
            raise ValueError(
                f'{name}: expected preds_T with the same (N, K) as preds_S '
                f'{shape_str(preds_S.shape)}, but got '
                f'{shape_str(preds_T.shape)}; student and teacher must score '
                'the same classes (give both heads the same num_classes).')
        if preds_S.shape != preds_T.shape:
            raise ValueError(
                f'{name}: expected preds_S with the teacher shape '
                f'{shape_str(preds_T.shape)}, but got '
                f'{shape_str(preds_S.shape)}; resize the student map to the '
                "teacher's temporal/spatial size (e.g. a 'ResizeConnector').")
        preds_T = preds_T.detach()
        # [N, K, ...] each
        log_p_S = F.log_softmax(preds_S.float() / self.tau, dim=1)
        log_p_T = F.log_softmax(preds_T.float() / self.tau, dim=1)
        kl = (log_p_T.exp() * (log_p_T - log_p_S)).sum(dim=1)  # [N, ...]
        return self.loss_weight * self.tau**2 * kl.mean()
