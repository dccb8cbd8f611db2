"""Binary (sigmoid) variant of StructKD's pixel-wise term."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmkd_video.registry import MODELS
from .utils import check_ndim, check_same_shape


@MODELS.register_module()
class BinaryPixelWiseDistillLoss(nn.Module):
    r"""Per-class Bernoulli KL for multi-label (sigmoid) score maps.

    A variant of the pixel-wise term of Liu et al., "Structured Knowledge
    Distillation for Dense Prediction", for heads whose K classes are
    independent sigmoids (e.g. AVA's multi-label action detection), where
    a softmax over K would be wrong. With :math:`q = \sigma(z / \tau)` per
    class and position:

    .. math::

        L = w \cdot \tau^2 \cdot \frac{1}{N K P} \sum_{n, k, i}
            \left[ q^T \log\frac{q^T}{q^S} +
                   (1 - q^T) \log\frac{1 - q^T}{1 - q^S} \right]_{nki}

    i.e. :math:`\mathrm{KL}(\mathrm{Bern}(q^T) \| \mathrm{Bern}(q^S))`
    averaged over the batch, the classes and the P positions (P = 1 for
    (N, K) logits). Computed from log-sigmoids, so it is finite for large
    logits.

    A separate class (rather than a ``use_sigmoid`` flag on
    :class:`PixelWiseDistillLoss`) because it is a different loss with a
    different reduction (a mean over K, where the softmax KL sums over K)
    and therefore a different weight scale; a config then names the head
    type it distils explicitly.

    The teacher scores are detached inside the loss.

    Args:
        tau (float): Sigmoid temperature. Defaults to 1.0.
        loss_weight (float): The factor :math:`w`. Defaults to 10.0, the
            official pixel-wise ``lambda_pi``; the paper has no sigmoid
            variant, so this is our choice, not a tuned value.

    Shapes:
        - preds_S: (N, K), (N, K, H, W), (N, K, T, H, W) or any (N, K, ...).
        - preds_T: the same shape as ``preds_S``.
        - output: () scalar.

    Examples:
        >>> import torch
        >>> loss = BinaryPixelWiseDistillLoss()
        >>> preds_S = torch.randn(8, 80, requires_grad=True)
        >>> preds_T = torch.randn(8, 80)
        >>> loss(preds_S, preds_T).backward()
    """

    def __init__(self, tau: float = 1.0, loss_weight: float = 10.0) -> None:
        super().__init__()
        if tau <= 0:
            raise ValueError('BinaryPixelWiseDistillLoss: expected tau > 0, '
                             f'but got {tau}.')
        self.tau = float(tau)
        self.loss_weight = float(loss_weight)

    def forward(self, preds_S: torch.Tensor,
                preds_T: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            preds_S (torch.Tensor): Student logits, (N, K, ...).
            preds_T (torch.Tensor): Teacher logits, same shape; detached.

        Returns:
            torch.Tensor: The scalar loss, already multiplied by
            ``loss_weight``.
        """
        name = 'BinaryPixelWiseDistillLoss'
        check_ndim(name, 'preds_S', preds_S, range(2, 16), '(N, K, ...)')
        check_same_shape(
            name, 'preds_T', preds_T, 'preds_S', preds_S,
            'student and teacher must score the same classes at the same '
            "positions (same num_classes; resize with a 'ResizeConnector').")
        preds_T = preds_T.detach()
        s = preds_S.float() / self.tau  # [N, K, ...]
        t = preds_T.float() / self.tau  # [N, K, ...]
        q_T = torch.sigmoid(t)  # [N, K, ...]
        kl = (q_T * (F.logsigmoid(t) - F.logsigmoid(s)) +
              (1 - q_T) * (F.logsigmoid(-t) - F.logsigmoid(-s)))  # [N, K, ...]
        return self.loss_weight * self.tau**2 * kl.mean()
