"""Attention branch and attention-conditioned CVAE of GenKD.

GenKD (AAAI-24, "Generative Model-Based Feature Knowledge Distillation for
Action Recognition") models a 3D backbone feature with a channel x time
attention ``A`` and a conditional VAE whose prior is centred on ``A``.
"""
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor

from mmkd_video.registry import MODELS
from ..method_generator import MethodGenerator
from .genkd_blocks import make_group_norm, make_mlp, to_pair


@MODELS.register_module()
class GenerativeAttentionHead(BaseModule):
    """Channel x time attention plus a CVAE conditioned on it (GenKD).

    Works on a backbone feature ``F`` of shape ``[N, C, T, H, W]``
    (officially I3D ``Mixed_5c``: C=1024, T=8, 7x7).

    Attention branch (``self.attention_branch``)::

        F -> Conv3d C->C_mid, kernel (1, h, w) -> GN -> ReLU   # [N, C_mid, T]
          -> nearest upsampling in time T->L                 # [N, C_mid, L]
          -> Conv1d C_mid->C, k3 'same' -> GN -> ReLU        # [N, C, L]
          -> Linear L->T over the length axis -> Sigmoid     # A [N, C, T]

    CVAE (``self.cvae``, encoder and decoder)::

        enc: F -> Conv3d C->C, kernel (1, h, w) -> GN -> ReLU  # [N, C, T]
             cat(., A) on channels, transpose                  # [N, T, 2C]
             MLP 2C->hid->hid->2C, split                       # mu, logvar
        dec: cat(z, A^T)                                       # [N, T, 2C]
             MLP 2C->hid->hid->C (no activation)               # [N, T, C]
             -> [N, C, T, 1, 1] -> ConvTranspose3d (1, h, w)
             -> (resize to H x W) -> GN -> ReLU               # [N, C, T, H, W]

    The prior is ``N(A^T, I)``: its mean is the attention itself, so the
    latent size must equal ``C``. The final ReLU matches the non-negative
    post-ReLU backbone features being reconstructed.

    Randomness: the posterior and prior noise come from
    ``self.noise_generator`` (:class:`MethodGenerator`), a stream of the
    head's own, so a run with GenKD draws the same student init, dropout
    masks and augmentations from the global generators as a run without it
    (paired arms).

    Deviation at small widths: every GroupNorm keeps at least
    ``min_group_channels`` (4) channels a group. The official GN(32) at 512
    and 1024 channels, and GN(32) at the demo's 128 and 256, are unchanged;
    below 128 channels ``gcd(32, C)`` groups hold fewer than 4 channels
    (one at 32 and below), which z-scores each channel's temporal profile
    and leaves the attention blind to how strongly a channel fires (see
    :func:`make_group_norm`).

    ``(h, w)`` is ``pool_size`` when given (the feature is first
    adaptive-average-pooled to that size, so the conv weights do not grow
    with ``H x W``), else the feature size itself, which reproduces the
    official kernels exactly. The head has no parameter shared between
    ``attention_branch`` and ``cvae``, so two optimizers can own them (the
    official recipe steps the CVAE with Adam and the attention with the
    student network's SGD).

    Args:
        in_channels (int): Channels ``C`` of the feature.
        num_frames (int): Temporal length ``T`` of the feature. The Linear
            ``L -> T`` needs it; inputs with another ``T`` are rejected.
        feat_size (int | tuple[int, int]): Spatial size ``(H, W)`` of the
            feature. The decoder produces this size; inputs of another size
            are rejected. Defaults to 7 (I3D on 224x224 clips).
        mid_channels (int, optional): Width ``C_mid`` of the attention
            branch's spatial conv. Defaults to ``C // 2`` (official 512).
        latent_channels (int, optional): Latent size ``D``. Must equal
            ``in_channels`` because the prior mean is ``A^T``; accepted only
            to make that explicit in configs. Defaults to ``C``.
        hidden_channels (int, optional): Hidden width of the CVAE MLPs.
            Defaults to ``C`` (official 1024).
        temporal_upsample_len (int, optional): Length ``L`` the attention
            branch upsamples time to before its Conv1d. Defaults to ``C``,
            which is the official 1024 for C=1024.
        pool_size (int | tuple[int, int], optional): Spatial size the
            feature is average-pooled to before the (1, h, w) convs. None
            (default) means no pooling and kernels spanning ``feat_size``.
        num_groups (int): Upper bound of GroupNorm groups; the actual count
            is ``gcd(num_groups, channels)``, reduced at small widths so a
            group keeps at least ``min_group_channels`` channels (see
            :func:`make_group_norm`). Defaults to 32.
        min_group_channels (int): Fewest channels a GroupNorm group may
            have. Defaults to 4 (no change at 128 channels and more, so at
            the official and demo widths).
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None (PyTorch's default init, as the official code).

    Examples:
        >>> head = GenerativeAttentionHead(16, num_frames=4, feat_size=7)
        >>> out = head(torch.rand(2, 16, 4, 7, 7))
        >>> out['att'].shape, out['recon'].shape, out['mu'].shape
        (torch.Size([2, 16, 4]), torch.Size([2, 16, 4, 7, 7]),
         torch.Size([2, 4, 16]))
    """

    def __init__(self,
                 in_channels: int,
                 num_frames: int,
                 feat_size: Union[int, Tuple[int, int]] = 7,
                 mid_channels: Optional[int] = None,
                 latent_channels: Optional[int] = None,
                 hidden_channels: Optional[int] = None,
                 temporal_upsample_len: Optional[int] = None,
                 pool_size: Optional[Union[int, Tuple[int, int]]] = None,
                 num_groups: int = 32,
                 min_group_channels: int = 4,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, value in (('in_channels', in_channels),
                            ('num_frames', num_frames),
                            ('num_groups', num_groups),
                            ('min_group_channels', min_group_channels)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f'{name} expected a positive int, but got '
                                 f'{value!r}')
        if latent_channels is not None and latent_channels != in_channels:
            raise ValueError(
                'latent_channels expected to equal in_channels '
                f'({in_channels}) because the prior N(A^T, I) has the '
                f'attention as its mean, but got {latent_channels}')
        self.in_channels = in_channels
        self.num_frames = num_frames
        self.feat_size = to_pair(feat_size, 'feat_size')
        self.pool_size = (None if pool_size is None else
                          to_pair(pool_size, 'pool_size'))
        self.mid_channels = mid_channels or max(1, in_channels // 2)
        self.latent_channels = in_channels
        self.hidden_channels = hidden_channels or in_channels
        self.temporal_upsample_len = temporal_upsample_len or in_channels

        C, C_mid = in_channels, self.mid_channels
        D, hid, L = self.latent_channels, self.hidden_channels, \
            self.temporal_upsample_len
        kernel = (1, *(self.pool_size or self.feat_size))

        self.attention_branch = nn.ModuleDict(
            dict(
                spatial=nn.Sequential(
                    self._make_pool(),
                    nn.Conv3d(C, C_mid, kernel),
                    make_group_norm(num_groups, C_mid, min_group_channels),
                    nn.ReLU(inplace=True)),
                temporal=nn.Sequential(
                    nn.Conv1d(C_mid, C, 3, padding=1),
                    make_group_norm(num_groups, C, min_group_channels),
                    nn.ReLU(inplace=True)),
                fc=nn.Linear(L, num_frames)))

        # Upsample the decoder's (1, h, w) map to the feature size when the
        # kernels work on a pooled size.
        if self.pool_size is not None and self.pool_size != self.feat_size:
            resize = nn.Upsample(
                size=(num_frames, *self.feat_size), mode='trilinear',
                align_corners=False)
        else:
            resize = nn.Identity()
        self.cvae = nn.ModuleDict(
            dict(
                encoder=nn.ModuleDict(
                    dict(
                        spatial=nn.Sequential(
                            self._make_pool(),
                            nn.Conv3d(C, C, kernel),
                            make_group_norm(num_groups, C, min_group_channels),
                            nn.ReLU(inplace=True)),
                        mlp=make_mlp(2 * C, hid, 2 * D))),
                decoder=nn.ModuleDict(
                    dict(
                        mlp=make_mlp(D + C, hid, C),
                        spatial=nn.Sequential(
                            nn.ConvTranspose3d(C, C, kernel), resize,
                            make_group_norm(num_groups, C, min_group_channels),
                            nn.ReLU(inplace=True))))))

        # CVAE sampling noise (posterior and prior) from a stream of its
        # own: the global one (student init, dropout) is left untouched
        self.noise_generator = MethodGenerator(type(self).__name__)

    def _make_pool(self) -> nn.Module:
        if self.pool_size is None:
            return nn.Identity()
        return nn.AdaptiveAvgPool3d((None, *self.pool_size))

    def _check_feat(self, feat: Tensor) -> None:
        expected = (self.in_channels, self.num_frames, *self.feat_size)
        if feat.dim() != 5 or tuple(feat.shape[1:]) != expected:
            raise ValueError(
                'GenerativeAttentionHead expected a feature of shape '
                f'[N, C, T, H, W] = [N, {", ".join(map(str, expected))}] '
                '(in_channels, num_frames, feat_size), but got '
                f'{list(feat.shape)}')

    def _check_att(self, att: Tensor) -> None:
        expected = (self.in_channels, self.num_frames)
        if att.dim() != 3 or tuple(att.shape[1:]) != expected:
            raise ValueError(
                'GenerativeAttentionHead expected an attention of shape '
                f'[N, C, T] = [N, {expected[0]}, {expected[1]}], but got '
                f'{list(att.shape)}')

    def attention(self, feat: Tensor) -> Tensor:
        """Compute the channel x time attention.

        Args:
            feat (Tensor): Feature of shape ``[N, C, T, H, W]``.

        Returns:
            Tensor: Attention ``A`` in (0, 1), shape ``[N, C, T]``.
        """
        self._check_feat(feat)
        branch = self.attention_branch
        x = branch['spatial'](feat).flatten(2)  # [N, C_mid, T]
        # [N, C_mid, L]
        x = F.interpolate(x, size=self.temporal_upsample_len, mode='nearest')
        x = branch['temporal'](x)  # [N, C, L]
        x = branch['fc'](x)  # [N, C, T]
        return x.sigmoid()

    def encode(self, feat: Tensor, att: Tensor) -> Tuple[Tensor, Tensor]:
        """Posterior parameters of ``z`` given the feature and attention.

        Args:
            feat (Tensor): Feature of shape ``[N, C, T, H, W]``.
            att (Tensor): Attention of shape ``[N, C, T]``.

        Returns:
            tuple[Tensor, Tensor]: ``mu`` and ``logvar``, each ``[N, T, D]``.
        """
        self._check_feat(feat)
        self._check_att(att)
        encoder = self.cvae['encoder']
        x = encoder['spatial'](feat).flatten(2)  # [N, C, T]
        x = torch.cat([x, att], dim=1).transpose(1, 2)  # [N, T, 2C]
        mu, logvar = encoder['mlp'](x).chunk(2, dim=-1)  # 2 x [N, T, D]
        return mu, logvar

    def reparameterize(self,
                       mu: Tensor,
                       logvar: Tensor,
                       noise: Optional[Tensor] = None) -> Tensor:
        """Sample ``z = mu + noise * exp(logvar / 2)``.

        Args:
            mu (Tensor): Mean, shape ``[N, T, D]``.
            logvar (Tensor): Log-variance, shape ``[N, T, D]``.
            noise (Tensor, optional): Standard normal noise like ``mu``;
                drawn from ``self.noise_generator`` when None.

        Returns:
            Tensor: ``z`` of shape ``[N, T, D]``.
        """
        if noise is None:
            noise = self.noise_generator.randn_like(mu)
        return mu + noise * torch.exp(0.5 * logvar)

    def decode(self, z: Tensor, att: Tensor) -> Tensor:
        """Reconstruct the feature from a latent and the attention.

        Args:
            z (Tensor): Latent of shape ``[N, T, D]``.
            att (Tensor): Attention of shape ``[N, C, T]``.

        Returns:
            Tensor: Reconstruction ``F_hat`` (non-negative), shape
            ``[N, C, T, H, W]``.
        """
        self._check_att(att)
        expected = (self.num_frames, self.latent_channels)
        if z.dim() != 3 or tuple(z.shape[1:]) != expected:
            raise ValueError(
                'GenerativeAttentionHead expected a latent of shape '
                f'[N, T, D] = [N, {expected[0]}, {expected[1]}], but got '
                f'{list(z.shape)}')
        decoder = self.cvae['decoder']
        x = torch.cat([z, att.transpose(1, 2)], dim=-1)  # [N, T, D + C]
        x = decoder['mlp'](x)  # [N, T, C]
        x = x.transpose(1, 2)[..., None, None]  # [N, C, T, 1, 1]
        return decoder['spatial'](x)  # [N, C, T, H, W]

    def sample_prior(self, att: Tensor,
                     noise: Optional[Tensor] = None) -> Tensor:
        """Sample ``z`` from the prior ``N(A^T, I)``.

        Args:
            att (Tensor): Attention of shape ``[N, C, T]``.
            noise (Tensor, optional): Standard normal noise of shape
                ``[N, T, C]``; drawn from ``self.noise_generator`` when
                None.

        Returns:
            Tensor: ``z`` of shape ``[N, T, D]`` (``D == C``).
        """
        self._check_att(att)
        mean = att.transpose(1, 2)  # [N, T, C]
        if noise is None:
            noise = self.noise_generator.randn_like(mean)
        return mean + noise

    def reconstruct_from_prior(self,
                               att: Tensor,
                               noise: Optional[Tensor] = None) -> Tensor:
        """Generate a feature from the prior: ``Dec(A^T + eps, A)``.

        This is the inference path of GenKD (the student's reconstruction
        loss compares it with the feature).

        Args:
            att (Tensor): Attention of shape ``[N, C, T]``.
            noise (Tensor, optional): Noise for :meth:`sample_prior`.

        Returns:
            Tensor: Generated feature of shape ``[N, C, T, H, W]``.
        """
        return self.decode(self.sample_prior(att, noise), att)

    @staticmethod
    def weight_feature(feat: Tensor,
                       att: Tensor,
                       per_sample: bool = True,
                       eps: float = 1e-6) -> Tensor:
        """Weight the feature by the attention, keeping its total mass.

        ``F_w = F * A * sum(F) / sum(F * A)`` with ``A`` broadcast over
        ``H x W``. The sums are per sample by default, so a clip's scale
        does not depend on the other clips of the batch; the official code
        sums over the whole batch tensor (``per_sample=False``). A
        denominator with magnitude below ``eps`` (e.g. an all-zero feature)
        is replaced by ``eps``. The scale is not detached.

        Args:
            feat (Tensor): Feature of shape ``[N, C, T, H, W]``.
            att (Tensor): Attention of shape ``[N, C, T]``.
            per_sample (bool): Sum per sample (True) or over the batch.
                Defaults to True.
            eps (float): Guard of the denominator. Defaults to 1e-6.

        Returns:
            Tensor: Weighted feature of shape ``[N, C, T, H, W]``.
        """
        if feat.dim() != 5 or att.shape != feat.shape[:3]:
            raise ValueError(
                'weight_feature expected feat [N, C, T, H, W] and att '
                f'[N, C, T], but got {list(feat.shape)} and '
                f'{list(att.shape)}')
        weighted = feat * att[..., None, None]  # [N, C, T, H, W]
        dims = (1, 2, 3, 4) if per_sample else (0, 1, 2, 3, 4)
        total = feat.sum(dim=dims, keepdim=True)  # [N, 1, 1, 1, 1] or [1]*5
        denom = weighted.sum(dim=dims, keepdim=True)
        denom = torch.where(denom.abs() < eps, torch.full_like(denom, eps),
                            denom)
        return weighted * (total / denom)

    def forward(self,
                feat: Tensor,
                att: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Run the attention branch and the CVAE on a feature.

        Nothing is detached: the caller freezes or detaches what its
        optimization step must not update.

        Args:
            feat (Tensor): Feature of shape ``[N, C, T, H, W]``.
            att (Tensor, optional): Attention ``[N, C, T]`` to condition the
                CVAE on instead of this head's own (e.g. a frozen teacher
                CVAE applied to the student's feature and attention). When
                given, the attention branch is not run.

        Returns:
            dict[str, Tensor]:

            - ``att``: attention ``A``, ``[N, C, T]``.
            - ``recon``: posterior reconstruction ``Dec(z, A)`` with
              ``z ~ N(mu, exp(logvar))``, ``[N, C, T, H, W]``.
            - ``mu``, ``logvar``: posterior parameters, ``[N, T, C]``.
            - ``prior_mean``: ``A^T``, the prior mean, ``[N, T, C]``.

            The prior reconstruction ``Dec(A^T + eps, A)`` is a separate
            call, :meth:`reconstruct_from_prior`, so that a caller who
            needs only the posterior (the CVAE loss, Generative
            Distillation) does not pay for a second decode.
        """
        if att is None:
            att = self.attention(feat)  # [N, C, T]
        mu, logvar = self.encode(feat, att)  # [N, T, C] each
        recon = self.decode(self.reparameterize(mu, logvar), att)
        return dict(
            att=att,
            recon=recon,
            mu=mu,
            logvar=logvar,
            prior_mean=att.transpose(1, 2))
