"""StructKD's pair-wise (affinity) distillation term."""
import math
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmkd_video.registry import MODELS
from .utils import check_ndim, shape_str


def _pool_kernel(size: int, scale: float) -> int:
    """Kernel (= stride) for one dim: ceil(size * scale), 1 when scale=0."""
    if scale == 0:
        return 1
    # The 1e-9 keeps e.g. 0.1 * 30 = 3.0000000000000004 from rounding to 4.
    return max(1, min(size, math.ceil(size * scale - 1e-9)))


@MODELS.register_module()
class PairWiseDistillLoss(nn.Module):
    r"""Squared difference of the node affinity graphs of two features.

    The pair-wise term of Liu et al., "Structured Knowledge Distillation for
    Dense Prediction" (CVPR 2019 / TPAMI 2020; official code
    irfanICMLL/structure_knowledge_distillation,
    ``CriterionPairWiseforWholeFeatAfterPool``).

    **Nodes.** The feature (N, C, H, W) or (N, C, T, H, W) is max-pooled with
    kernel = stride = :math:`\lceil s \cdot \text{size} \rceil` per pooled
    dim (``ceil_mode=True``, so a partial last window still makes a node):
    ``pool_scale`` :math:`s` for H and W, ``temporal_pool_scale`` for T.
    Every remaining position is a node :math:`i` with feature vector
    :math:`f_i \in \mathbb{R}^C`; M is the number of nodes per sample.
    Scale semantics (each dim): ``s`` in (0, 1], kernel
    :math:`\lceil s \cdot \text{size} \rceil`, so 0.5 gives about 2 nodes per
    dim and 1.0 pools the whole dim into one node; ``s = 0`` means no
    pooling (kernel 1, every position is a node). For T,
    ``temporal_pool_scale=None`` (default) uses ``pool_scale``; 1.0
    max-pools the whole clip into one temporal node (a spatial graph of
    max-over-time features); 0 keeps every frame's nodes separate (a
    spatio-temporal graph over all frames).
    The official code uses ``int(size * s)`` (floor); with the default 0.5
    and even sizes the two agree.

    **Affinity** (cosine similarity, as the official code computes it:
    each node vector is divided by its norm + 1e-8, and **the norm is
    detached**, i.e. treated as a constant in the backward pass):

    .. math::

        a_{ij} = \frac{f_i^\top f_j}
                      {(\lVert f_i \rVert + \epsilon)
                       (\lVert f_j \rVert + \epsilon)}, \quad
        \epsilon = 10^{-8}

    **Loss**, with the student's and teacher's graphs of the same M nodes
    (channels C may differ, the graph is M x M for both):

    .. math::

        L = w \cdot \frac{1}{N M^2} \sum_{n} \sum_{i, j}
            \left(a^T_{nij} - a^S_{nij}\right)^2

    The official code divides by (W·H)^2 of the *pooled* teacher map, which
    is :math:`M^2` in 2D (official: StructKD pair-wise loss,
    ``sum((a_T - a_S)^2) / (H'W')^2 / N``).

    Default weight: 0.5 is ``--lambda-pa 0.5`` of the official run script
    ``run_train_val.sh`` together with ``--pool-scale 0.5``; the argparse
    default in the code is 1.0, and the paper text's value is 10 per the
    author's answer in the repository's issues. Note that the affinity
    values lie in [-1, 1], so the loss is at most 4w.

    The teacher feature is detached inside the loss.

    Args:
        pool_scale (float): Spatial pooling scale in [0, 1]. Defaults to 0.5
            (official run script).
        temporal_pool_scale (float, optional): Temporal pooling scale in
            [0, 1] for (N, C, T, H, W) inputs; None uses ``pool_scale``.
            Defaults to None.
        loss_weight (float): The factor :math:`w`. Defaults to 0.5.

    Shapes:
        - feat_S: (N, C_S, H, W) or (N, C_S, T, H, W).
        - feat_T: (N, C_T, H, W) or (N, C_T, T, H, W), same layout and
          (T, H, W).
        - output: () scalar.

    Examples:
        >>> import torch
        >>> loss = PairWiseDistillLoss(pool_scale=0.5)
        >>> feat_S = torch.randn(2, 64, 4, 8, 8, requires_grad=True)
        >>> feat_T = torch.randn(2, 256, 4, 8, 8)
        >>> loss(feat_S, feat_T).backward()  # 2 x 4 x 4 = 32 nodes
    """

    def __init__(self,
                 pool_scale: float = 0.5,
                 temporal_pool_scale: Optional[float] = None,
                 loss_weight: float = 0.5) -> None:
        super().__init__()
        for name, value in (('pool_scale', pool_scale),
                            ('temporal_pool_scale', temporal_pool_scale)):
            if value is not None and not 0 <= value <= 1:
                raise ValueError(
                    f'PairWiseDistillLoss: expected {name} in [0, 1], but '
                    f'got {value}.')
        self.pool_scale = float(pool_scale)
        self.temporal_pool_scale = (None if temporal_pool_scale is None else
                                    float(temporal_pool_scale))
        self.loss_weight = float(loss_weight)

    def pool_kernel(self, size: Tuple[int, ...]) -> Tuple[int, ...]:
        """Return the pooling kernel (= stride) for a (H, W)/(T, H, W) size.
        """
        spatial = tuple(_pool_kernel(s, self.pool_scale) for s in size[-2:])
        if len(size) == 2:
            return spatial
        t_scale = (self.pool_scale if self.temporal_pool_scale is None else
                   self.temporal_pool_scale)
        return (_pool_kernel(size[0], t_scale), ) + spatial

    @staticmethod
    def affinity(nodes: torch.Tensor) -> torch.Tensor:
        """Cosine affinity (N, M, M) of nodes (N, C, M), norms detached."""
        # [N, 1, M]
        norm = nodes.norm(p=2, dim=1, keepdim=True).detach() + 1e-8
        unit = nodes.float() / norm  # [N, C, M]
        # float32 under AMP too: autocast would run bmm in float16/bfloat16
        with torch.autocast(unit.device.type, enabled=False):
            return torch.bmm(unit.transpose(1, 2), unit)

    def nodes(self, feat: torch.Tensor) -> torch.Tensor:
        """Max-pool a feature into graph nodes of shape (N, C, M)."""
        kernel = self.pool_kernel(tuple(feat.shape[2:]))
        pool = F.max_pool2d if feat.dim() == 4 else F.max_pool3d
        pooled = pool(feat.float(), kernel_size=kernel, stride=kernel,
                      ceil_mode=True)  # [N, C, (T',) H', W']
        return pooled.flatten(2)  # [N, C, M]

    def forward(self, feat_S: torch.Tensor,
                feat_T: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            feat_S (torch.Tensor): Student feature, (N, C_S, H, W) or
                (N, C_S, T, H, W).
            feat_T (torch.Tensor): Teacher feature with the same layout,
                batch size and (T, H, W); detached.

        Returns:
            torch.Tensor: The scalar loss, already multiplied by
            ``loss_weight``.
        """
        name = 'PairWiseDistillLoss'
        layout = '(N, C, H, W) or (N, C, T, H, W)'
        check_ndim(name, 'feat_S', feat_S, (4, 5), layout)
        check_ndim(name, 'feat_T', feat_T, (4, 5), layout)
        if (feat_S.dim() != feat_T.dim() or feat_S.shape[0] != feat_T.shape[0]
                or feat_S.shape[2:] != feat_T.shape[2:]):
            raise ValueError(
                f'{name}: expected feat_S with the same batch size and '
                'temporal/spatial size as feat_T '
                f'{shape_str(feat_T.shape)} (channels may differ), but got '
                f'{shape_str(feat_S.shape)}; add a connector (e.g. '
                "'ResizeConnector') to match the sizes.")
        feat_T = feat_T.detach()
        nodes_S, nodes_T = self.nodes(feat_S), self.nodes(feat_T)  # [N, C, M]
        n, m = nodes_T.shape[0], nodes_T.shape[2]
        diff = self.affinity(nodes_T) - self.affinity(nodes_S)  # [N, M, M]
        return self.loss_weight * diff.pow(2).sum() / (m * m) / n
