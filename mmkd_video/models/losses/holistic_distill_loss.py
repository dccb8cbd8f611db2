"""StructKD's holistic (adversarial) distillation term."""
from typing import Dict, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import parametrize

from mmkd_video.registry import MODELS

from ..discriminators.small_map_conv import shared_matrices
from ..method_generator import MethodGenerator
from .utils import check_ndim, check_same_shape


@MODELS.register_module()
class HolisticDistillLoss(nn.Module):
    r"""Adversarial distillation of the whole score map, with its critic.

    The holistic term of Liu et al., "Structured Knowledge Distillation for
    Dense Prediction" (CVPR 2019 / TPAMI 2020; official code
    irfanICMLL/structure_knowledge_distillation). A discriminator (critic)
    :math:`D` learns to tell the teacher's score maps :math:`T` ("real")
    from the student's :math:`S` ("fake") and the student is trained to fool
    it. The loss module **owns** :math:`D` (``self.discriminator``), so its
    parameters live in this module's state dict; they must be given to a
    separate optimizer (the official code: ``D_solver``) and kept out of the
    student's.

    Two entry points, with :math:`w` = ``loss_weight``, :math:`E` the mean
    over all elements of D's output:

    * :meth:`forward` (the student/generator step):
      ``dict(adv_g=-w * E[D(S)])`` in both modes. D's parameters get no
      gradient from it (their ``requires_grad`` is switched off for the call
      and restored afterwards); the gradient flows through D into ``S``.
    * :meth:`discriminator_loss` (the critic step), S and T both detached:

      - ``'wgan-gp'`` (WGAN-GP, Gulrajani et al. 2017, the official code):
        ``adv_d = w * (E[D(S)] - E[D(T)])`` and
        ``gp = w * gp_weight * mean_n((||grad_x D(x_hat_n)||_2 - 1)^2)`` with
        :math:`\hat x = \alpha T + (1 - \alpha) S`,
        :math:`\alpha \sim U(0, 1)` per sample (shape (N, 1, 1, ...)), the
        gradient norm taken over all non-batch dims of each sample and
        computed with ``create_graph=True`` so the penalty trains D. The
        official code also multiplies the penalty by ``lambda_d``
        (= ``loss_weight``).
      - ``'hinge'``: ``adv_d = w * (E[relu(1 + D(S))] + E[relu(1 - D(T))])``
        and ``gp`` is a zero tensor (kept so the logged keys do not depend
        on the mode).

    D(S) and D(T) are computed in one call on the concatenated batch, so
    that call, and the per-sample gradient norm, assume D treats samples
    independently (no batch statistics: no BatchNorm in train mode, as
    WGAN-GP requires;
    :class:`StructKDDiscriminator` has none, unlike the official master
    branch's input BatchNorm). The critic step's two calls (on ``[S; T]``
    and on :math:`\hat x`) share one spectral-normed weight
    (``torch.nn.utils.parametrize.cached``): one power iteration per critic
    step, where the official code runs one per call (three), for the same
    weights; and, for :class:`StructKDDiscriminator`'s small-map stages, one
    matrix per stage (``small_map_conv.shared_matrices``). ``adv_d`` and
    ``gp`` are meant to be summed and back-propagated into D's parameters
    only; ``adv_g`` into the student only.

    Critic optimizer (the config's ``discriminator`` optim wrapper): the
    official SGD lr 4e-4, momentum 0.9, weight decay 5e-4 (poly) is kept for
    the official 2D setting (class maps of 64x64 and more). On video-sized
    maps (2x2 to 8x8, T 4-8) it leaves the critic flat: ``loss_gp`` stays at
    its full weight ``w * gp_weight`` and the generator term is ~1e-4 of a
    1-Lipschitz critic's. Our video configs use the WGAN-GP paper's Adam
    (lr 1e-4, betas (0, 0.9)), whose per-parameter step size moves the
    critic within 100 steps (``tests/models/losses/
    test_holistic_critic_learns.py``). As in the official loop, the critic
    step should score the student map of the generator step's forward: give
    the derived call of that map ``once_per_iter=True`` in the distiller.

    Args:
        discriminator (dict | nn.Module): The critic: a config built with
            ``MODELS.build`` (e.g. ``dict(type='StructKDDiscriminator',
            ...)``) or an already built module. It maps a score map
            (N, K, H, W) or (N, K, T, H, W) to scores, typically (N, 1) or
            (N, ); any shape is averaged.
        loss_weight (float): :math:`w`. Defaults to 0.1 (the official
            ``lambda_d``).
        gp_weight (float): Weight of the gradient penalty. Defaults to 10.0
            (``lambda_gp`` of the official code and the WGAN-GP paper).
        mode (str): ``'wgan-gp'`` (default, official) or ``'hinge'``.

    Examples:
        >>> import torch
        >>> import torch.nn as nn
        >>> critic = nn.Sequential(nn.Conv2d(5, 8, 3), nn.LeakyReLU(0.2),
        ...                        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        ...                        nn.Linear(8, 1))
        >>> loss = HolisticDistillLoss(discriminator=critic)
        >>> preds_S = torch.randn(2, 5, 8, 8, requires_grad=True)
        >>> preds_T = torch.randn(2, 5, 8, 8)
        >>> loss(preds_S, preds_T)['adv_g'].backward()   # student step
        >>> d = loss.discriminator_loss(preds_S, preds_T)  # critic step
        >>> (d['adv_d'] + d['gp']).backward()
    """

    MODES = ('wgan-gp', 'hinge')

    def __init__(self,
                 discriminator: Union[dict, nn.Module],
                 loss_weight: float = 0.1,
                 gp_weight: float = 10.0,
                 mode: str = 'wgan-gp') -> None:
        super().__init__()
        if mode not in self.MODES:
            raise ValueError(
                f'HolisticDistillLoss: expected mode in {self.MODES}, but got '
                f'{mode!r}.')
        if isinstance(discriminator, nn.Module):
            self.discriminator = discriminator
        elif isinstance(discriminator, dict):
            self.discriminator = MODELS.build(discriminator)
        else:
            raise TypeError(
                'HolisticDistillLoss: expected discriminator as a config dict '
                f'or an nn.Module, but got {type(discriminator).__name__}.')
        self.loss_weight = float(loss_weight)
        self.gp_weight = float(gp_weight)
        self.mode = mode
        # alpha from a stream of its own (paired runs: see MethodGenerator)
        self.alpha_generator = MethodGenerator(type(self).__name__)

    def _check(self, preds_S: torch.Tensor, preds_T: torch.Tensor) -> None:
        name = 'HolisticDistillLoss'
        layout = '(N, K, H, W) or (N, K, T, H, W)'
        check_ndim(name, 'preds_S', preds_S, (4, 5), layout)
        check_same_shape(
            name, 'preds_T', preds_T, 'preds_S', preds_S,
            'the discriminator compares student and teacher score maps of '
            "one shape (same num_classes; resize with a 'ResizeConnector').")

    def _score(self, x: torch.Tensor) -> torch.Tensor:
        out = self.discriminator(x)
        if not isinstance(out, torch.Tensor):
            raise TypeError(
                'HolisticDistillLoss: expected the discriminator to return a '
                f'tensor of scores, but got {type(out).__name__}.')
        return out

    def forward(self, preds_S: torch.Tensor,
                preds_T: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The generator (student) term.

        Args:
            preds_S (torch.Tensor): Student score map, (N, K, H, W) or
                (N, K, T, H, W).
            preds_T (torch.Tensor): Teacher score map of the same shape;
                only checked (the generator term does not use it).

        Returns:
            dict[str, torch.Tensor]: ``adv_g``, the scalar
            ``-loss_weight * E[D(preds_S)]``; its gradient reaches
            ``preds_S`` but not the discriminator's parameters.
        """
        self._check(preds_S, preds_T)
        params = list(self.discriminator.parameters())
        flags = [p.requires_grad for p in params]
        try:
            for p in params:
                p.requires_grad_(False)
            score = self._score(preds_S)
        finally:
            for p, flag in zip(params, flags):
                p.requires_grad_(flag)
        return dict(adv_g=-self.loss_weight * score.float().mean())

    def gradient_penalty(self,
                         preds_S: torch.Tensor,
                         preds_T: torch.Tensor,
                         alpha: Optional[torch.Tensor] = None
                         ) -> torch.Tensor:
        """The unweighted WGAN-GP penalty mean_n((||grad D(x_hat_n)|| - 1)^2).

        Args:
            preds_S (torch.Tensor): Student score map (detached here).
            preds_T (torch.Tensor): Teacher score map (detached here).
            alpha (torch.Tensor, optional): Interpolation weights of shape
                (N, 1, 1, ...); drawn from U(0, 1) when None.

        Returns:
            torch.Tensor: The scalar penalty, with a graph into D's
            parameters (``create_graph=True``).
        """
        preds_S, preds_T = preds_S.detach(), preds_T.detach()
        if alpha is None:
            shape = (preds_S.shape[0], ) + (1, ) * (preds_S.dim() - 1)
            alpha = self.alpha_generator.rand(shape, like=preds_S)
        with torch.enable_grad():
            x_hat = alpha * preds_T + (1 - alpha) * preds_S
            x_hat.requires_grad_(True)
            score = self._score(x_hat)
            grad, = torch.autograd.grad(
                score.sum(), x_hat, create_graph=True)
            norm = (grad.flatten(1).pow(2).sum(dim=1) + 1e-12).sqrt()
            return (norm - 1).pow(2).mean()

    def discriminator_loss(self, preds_S: torch.Tensor,
                           preds_T: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The critic terms; both inputs are detached.

        Args:
            preds_S (torch.Tensor): Student score map ("fake").
            preds_T (torch.Tensor): Teacher score map ("real"), same shape.

        Returns:
            dict[str, torch.Tensor]: ``adv_d`` and ``gp`` (a zero tensor in
            ``'hinge'`` mode), scalars already multiplied by ``loss_weight``
            (and ``gp_weight`` for ``gp``). Their gradients reach only the
            discriminator's parameters.
        """
        self._check(preds_S, preds_T)
        # float32, autocast off: the penalty's double backward in bfloat16
        # gave non-finite critic gradients (tests/utils/test_amp.py); the
        # critic is small, so full precision costs little here
        def full(x):  # float16/bfloat16 -> float32; float64 stays
            x = x.detach()
            return x.float() if x.element_size() < 4 else x

        # parametrize.cached: the step's two critic calls share one
        # spectral-normed weight (W / sigma and its power iteration once per
        # step, not once per call; the weights are the same for both);
        # shared_matrices: likewise the small-map stages' matrices built
        # from those weights
        with torch.autocast(preds_S.device.type, enabled=False), \
                parametrize.cached(), shared_matrices():
            return self._discriminator_loss(full(preds_S), full(preds_T))

    def _discriminator_loss(self, preds_S: torch.Tensor,
                            preds_T: torch.Tensor) -> Dict[str, torch.Tensor]:
        # one critic call on [S; T]: equal to two calls for a critic without
        # batch statistics, and about half the per-call overhead
        scores = self._score(torch.cat([preds_S, preds_T])).float()
        score_S, score_T = scores[:len(preds_S)], scores[len(preds_S):]
        if self.mode == 'wgan-gp':
            adv = score_S.mean() - score_T.mean()
            gp = self.gradient_penalty(preds_S, preds_T).float()
            gp = self.loss_weight * self.gp_weight * gp
        else:
            adv = F.relu(1 + score_S).mean() + F.relu(1 - score_T).mean()
            gp = score_S.new_zeros(())
        return dict(adv_d=self.loss_weight * adv, gp=gp)
