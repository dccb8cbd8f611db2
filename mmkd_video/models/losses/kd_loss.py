"""Logit distillation of Hinton et al. (vanilla KD)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmkd_video.registry import MODELS
from .utils import check_ndim, shape_str


@MODELS.register_module()
class KDLoss(nn.Module):
    r"""Temperature-scaled KL divergence between teacher and student logits.

    From Hinton, Vinyals and Dean, "Distilling the Knowledge in a Neural
    Network" (2015). With :math:`p^T = \mathrm{softmax}(z^T/\tau)` and
    :math:`p^S = \mathrm{softmax}(z^S/\tau)` over the K classes:

    .. math::

        L = w \cdot \tau^2 \cdot \frac{1}{N} \sum_{n=1}^{N} \sum_{k=1}^{K}
            p^T_{nk} \left(\log p^T_{nk} - \log p^S_{nk}\right)

    i.e. ``KL(p^T || p^S)`` summed over classes, averaged over the batch
    (PyTorch's ``reduction='batchmean'``). The :math:`\tau^2` factor is the
    paper's: it keeps the gradient magnitude independent of :math:`\tau`.

    The teacher logits are detached inside the loss.

    Args:
        tau (float): Softmax temperature :math:`\tau > 0`. Defaults to 1.0,
            which is plain KL between the two predictive distributions; the
            paper does not fix a value (values of 1 to 4 are common).
        loss_weight (float): The factor :math:`w`. Defaults to 1.0.

    Shapes:
        - preds_S: (N, K) student logits.
        - preds_T: (N, K) teacher logits.
        - output: () scalar.

    Examples:
        >>> import torch
        >>> loss = KDLoss(tau=4.0, loss_weight=1.0)
        >>> preds_S = torch.randn(2, 10, requires_grad=True)
        >>> preds_T = torch.randn(2, 10)
        >>> value = loss(preds_S, preds_T)  # scalar tensor
        >>> value.backward()
    """

    def __init__(self, tau: float = 1.0, loss_weight: float = 1.0) -> None:
        super().__init__()
        if tau <= 0:
            raise ValueError(f'KDLoss: expected tau > 0, but got {tau}.')
        self.tau = float(tau)
        self.loss_weight = float(loss_weight)

    def forward(self, preds_S: torch.Tensor,
                preds_T: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            preds_S (torch.Tensor): Student logits of shape (N, K).
            preds_T (torch.Tensor): Teacher logits of shape (N, K); detached.

        Returns:
            torch.Tensor: The scalar loss, already multiplied by
            ``loss_weight``.
        """
        check_ndim('KDLoss', 'preds_S', preds_S, (2, ), '(N, K)')
        check_ndim('KDLoss', 'preds_T', preds_T, (2, ), '(N, K)')
        if preds_S.shape != preds_T.shape:
            raise ValueError(
                'KDLoss: expected preds_T with the same (N, K) as preds_S '
                f'{shape_str(preds_S.shape)}, but got '
                f'{shape_str(preds_T.shape)}; student and teacher must '
                'predict the same classes for the same batch (give both '
                'heads the same num_classes).')
        preds_T = preds_T.detach()
        log_p_S = F.log_softmax(preds_S.float() / self.tau, dim=1)  # [N, K]
        log_p_T = F.log_softmax(preds_T.float() / self.tau, dim=1)  # [N, K]
        kl = (log_p_T.exp() * (log_p_T - log_p_S)).sum(dim=1)  # [N]
        kl = kl.mean()  # []
        return self.loss_weight * self.tau**2 * kl
