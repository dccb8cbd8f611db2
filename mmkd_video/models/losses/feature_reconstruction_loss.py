"""Mean squared error between two student-side tensors (nothing detached)."""
import torch
import torch.nn as nn

from mmkd_video.registry import MODELS
from .utils import shape_str


@MODELS.register_module()
class FeatureReconstructionLoss(nn.Module):
    r"""``w · mean((recon − target)^2)`` with gradients to both arguments.

    GenKD's student step pulls the student feature ``F_s`` and the frozen
    student CVAE's prior reconstruction ``Dec(A_s + eps, A_s)`` towards each
    other (official ``L_rec``), so the gradient must reach ``F_s`` *and*,
    through the frozen decoder, the attention ``A_s``. Unlike the
    teacher/student losses, neither side is detached here.

    Official weight: ``0.5 · min(epoch, 20) / 20``, i.e. ``loss_weight=0.5``
    with a distiller ``schedule=dict(warmup=20, by_epoch=True)``.

    Args:
        loss_weight (float): The factor ``w``. Defaults to 0.5 (GenKD).

    Shapes:
        - recon: any shape, e.g. [N, C, T, H, W].
        - target: the same shape.
        - output: () scalar.

    Examples:
        >>> loss = FeatureReconstructionLoss()
        >>> loss(torch.ones(1, 2, 1, 1, 1), torch.zeros(1, 2, 1, 1, 1))
        tensor(0.5000)
    """

    def __init__(self, loss_weight: float = 0.5) -> None:
        super().__init__()
        self.loss_weight = float(loss_weight)

    def forward(self, recon: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            recon (torch.Tensor): The CVAE's prior reconstruction
                ``Dec(A_s + eps, A_s)``, e.g. [N, C, T, H, W]; not detached.
            target (torch.Tensor): The student feature ``F_s``, the same
                shape; not detached.

        Returns:
            torch.Tensor: The scalar loss, already multiplied by
            ``loss_weight``.
        """
        if recon.shape != target.shape:
            raise ValueError(
                f'FeatureReconstructionLoss expected recon and target of the '
                f'same shape, but got {shape_str(recon.shape)} and '
                f'{shape_str(target.shape)}')
        # float32 under AMP too, like every distillation loss
        diff = recon.float() - target.float()  # [N, C, T, H, W]
        return self.loss_weight * diff.pow(2).mean()
