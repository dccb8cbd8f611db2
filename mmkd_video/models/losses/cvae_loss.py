"""The CVAE objective of GenKD (stage 1: train the feature generator)."""
import torch
import torch.nn as nn

from mmkd_video.registry import MODELS
from .utils import check_ndim, shape_str


@MODELS.register_module()
class CVAELoss(nn.Module):
    r"""Reconstruction + KL loss of the conditional VAE of GenKD.

    From Wang et al., "Generative Model-Based Feature Knowledge Distillation
    for Action Recognition" (AAAI 2024, official code
    aaai-24/Generative-based-KD, ``loss_cvae``). The CVAE encodes the video
    feature :math:`F` into a Gaussian posterior
    :math:`q(z | F, A) = \mathcal{N}(\mu, \mathrm{diag}(e^{\log\sigma^2}))`
    whose prior is :math:`\mathcal{N}(A, I)`, with :math:`A` the attention,
    and decodes :math:`\hat F`:

    .. math::

        L = w \left[ \frac{1}{|F|} \sum (F - \hat F)^2
            + \lambda_{KL} \cdot \mathrm{KL} \right], \quad
        \mathrm{KL} = -\frac{1}{2} \cdot \mathrm{mean}\left(1 + \log\sigma^2
            - (\mu - A)^2 - e^{\log\sigma^2}\right)

    Both terms are **element means** (not sums over the latent dimension),
    as in the official code.

    What is detached: ``target`` (the feature :math:`F` being reconstructed)
    and ``prior_mean`` (the attention :math:`A`). This loss trains the CVAE
    only; in the official code the network producing :math:`F` and
    :math:`A` is frozen while the CVAE is updated (stage 1), so the CVAE
    objective must not push the feature or the attention. ``recon``,
    ``mu`` and ``logvar`` keep their graph (they are the CVAE's outputs).

    Args:
        kl_weight (float): :math:`\lambda_{KL}`. Defaults to 0.1 (official
            code: ``0.1 * kld + 1 * mse``).
        loss_weight (float): The factor :math:`w`. Defaults to 1.0.

    Shapes:
        - recon: (N, C, T, H, W) reconstructed feature (any shape equal to
          ``target``'s is accepted).
        - target: (N, C, T, H, W) feature being reconstructed.
        - mu, logvar: (N, T, D) posterior mean and log-variance.
        - prior_mean: (N, T, D) the attention, already laid out as the
          latent (the official code permutes the (N, D, T) attention).
        - output: () scalar.

    Examples:
        >>> import torch
        >>> loss = CVAELoss(kl_weight=0.1)
        >>> recon = torch.randn(2, 8, 4, 7, 7, requires_grad=True)
        >>> target = torch.randn(2, 8, 4, 7, 7)
        >>> mu = torch.randn(2, 4, 8, requires_grad=True)
        >>> logvar = torch.randn(2, 4, 8, requires_grad=True)
        >>> att = torch.rand(2, 4, 8)
        >>> loss(recon, target, mu, logvar, att).backward()
    """

    def __init__(self, kl_weight: float = 0.1,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.kl_weight = float(kl_weight)
        self.loss_weight = float(loss_weight)

    def forward(self, recon: torch.Tensor, target: torch.Tensor,
                mu: torch.Tensor, logvar: torch.Tensor,
                prior_mean: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            recon (torch.Tensor): The CVAE's reconstruction, (N, C, T, H, W).
            target (torch.Tensor): The feature it reconstructs, same shape;
                detached.
            mu (torch.Tensor): Posterior mean, (N, T, D).
            logvar (torch.Tensor): Posterior log-variance, (N, T, D).
            prior_mean (torch.Tensor): Prior mean (the attention), (N, T, D);
                detached.

        Returns:
            torch.Tensor: The scalar loss, already multiplied by
            ``loss_weight``.
        """
        if recon.shape != target.shape:
            raise ValueError(
                'CVAELoss: expected recon with the same shape as target '
                f'{shape_str(target.shape)}, but got '
                f'{shape_str(recon.shape)}; the CVAE decoder must output the '
                'shape of the feature it encodes.')
        check_ndim('CVAELoss', 'mu', mu, (3, ), '(N, T, D)')
        for name, value in (('logvar', logvar), ('prior_mean', prior_mean)):
            if value.shape != mu.shape:
                raise ValueError(
                    f'CVAELoss: expected {name} with the same shape as mu '
                    f'{shape_str(mu.shape)}, but got '
                    f'{shape_str(value.shape)}; give the prior_mean '
                    '(attention) the (N, T, D) layout of the latent.')
        if mu.shape[0] != target.shape[0]:
            raise ValueError(
                'CVAELoss: expected mu with the batch size of target '
                f'{shape_str(target.shape)}, but got {shape_str(mu.shape)}.')
        target = target.detach()
        prior_mean = prior_mean.detach()
        mse = (target.float() - recon.float()).pow(2).mean()  # []
        logvar = logvar.float()  # [N, T, D]
        kl = -0.5 * (1 + logvar - (mu.float() - prior_mean.float()).pow(2) -
                     logvar.exp()).mean()  # []
        return self.loss_weight * (mse + self.kl_weight * kl)
