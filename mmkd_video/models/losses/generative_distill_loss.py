"""GenKD's generative (CVAE-to-CVAE) distillation term."""
import torch
import torch.nn as nn

from mmkd_video.registry import MODELS
from .utils import check_same_shape


@MODELS.register_module()
class GenerativeDistillLoss(nn.Module):
    r"""MSE between the student CVAE's and the teacher CVAE's reconstruction.

    From Wang et al., "Generative Model-Based Feature Knowledge Distillation
    for Action Recognition" (AAAI 2024). Both CVAEs encode the **student's**
    feature and attention; the frozen teacher CVAE's reconstruction
    :math:`\hat F^T` supervises the student CVAE's :math:`\hat F^S`:

    .. math::

        L = w \cdot \frac{1}{|F|} \sum \left(\hat F^S - \hat F^T\right)^2

    Official: ``L1 = loss_cvae(CVAE_s(F_s, A_s)) + 0.01 * MSE(F_hat_s,
    F_hat_t)``, with ``F_hat_t`` the frozen teacher CVAE applied to the
    student's ``F_s`` and ``A_s``, in the student CVAE step (network frozen);
    this loss is the second term. The teacher reconstruction is detached
    inside the loss.

    Args:
        loss_weight (float): The factor :math:`w`. Defaults to 0.01 (the
            official code: ``loss_5c + KD_loss_cvae * 0.01``).

    Shapes:
        - recon_S: (N, C, T, H, W) (any shape is accepted).
        - recon_T: the same shape as ``recon_S``.
        - output: () scalar.

    Examples:
        >>> import torch
        >>> loss = GenerativeDistillLoss()
        >>> recon_S = torch.randn(2, 8, 4, 7, 7, requires_grad=True)
        >>> recon_T = torch.randn(2, 8, 4, 7, 7)
        >>> loss(recon_S, recon_T).backward()
    """

    def __init__(self, loss_weight: float = 0.01) -> None:
        super().__init__()
        self.loss_weight = float(loss_weight)

    def forward(self, recon_S: torch.Tensor,
                recon_T: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            recon_S (torch.Tensor): The student CVAE's reconstruction.
            recon_T (torch.Tensor): The frozen teacher CVAE's reconstruction
                of the same (student) feature and attention; detached.

        Returns:
            torch.Tensor: The scalar loss, already multiplied by
            ``loss_weight``.
        """
        check_same_shape(
            'GenerativeDistillLoss', 'recon_T', recon_T, 'recon_S', recon_S,
            "the teacher CVAE must decode to the student feature's shape "
            '(feed it the student feature and attention, with a connector '
            'if the CVAEs were built for different channel counts).')
        recon_T = recon_T.detach()
        diff = recon_S.float() - recon_T.float()  # [N, C, T, H, W]
        return self.loss_weight * diff.pow(2).mean()
