"""GenKD's attention distillation term."""
import torch
import torch.nn as nn

from mmkd_video.registry import MODELS
from .utils import check_same_shape


@MODELS.register_module()
class AttentionDistillLoss(nn.Module):
    r"""MSE between the student's and the teacher's (temporal) attention.

    From Wang et al., "Generative Model-Based Feature Knowledge Distillation
    for Action Recognition" (AAAI 2024): the student's attention module is
    trained to reproduce the teacher's attention (official: Attention
    Distillation ``L_AD = MSE(A_s, A_t)`` on the channel x time attention
    ``B x 1024 x 8`` of Mixed_5c, ``A_t`` from the frozen teacher on the same
    clip),

    .. math::

        L = w \cdot \frac{1}{|A|} \sum \left(A^S - A^T\right)^2

    The teacher attention is detached inside the loss.

    Args:
        loss_weight (float): The factor :math:`w`. Defaults to 0.1, the
            official ``beta`` for recognition (its THUMOS14 detection
            variant uses 10.0).

    Shapes:
        - att_S: (N, C, T) student attention (any shape is accepted).
        - att_T: the same shape as ``att_S``.
        - output: () scalar.

    Examples:
        >>> import torch
        >>> loss = AttentionDistillLoss()
        >>> att_S = torch.rand(2, 16, 4, requires_grad=True)
        >>> att_T = torch.rand(2, 16, 4)
        >>> loss(att_S, att_T).backward()
    """

    def __init__(self, loss_weight: float = 0.1) -> None:
        super().__init__()
        self.loss_weight = float(loss_weight)

    def forward(self, att_S: torch.Tensor,
                att_T: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            att_S (torch.Tensor): Student attention, (N, C, T).
            att_T (torch.Tensor): Teacher attention, same shape; detached.

        Returns:
            torch.Tensor: The scalar loss, already multiplied by
            ``loss_weight``.
        """
        check_same_shape(
            'AttentionDistillLoss', 'att_T', att_T, 'att_S', att_S,
            'student and teacher attention modules must output the same '
            '(N, C, T) (add a connector before the attention module if the '
            'channel or temporal sizes differ).')
        att_T = att_T.detach()
        diff = att_S.float() - att_T.float()  # [N, C, T]
        return self.loss_weight * diff.pow(2).mean()
