"""Workarounds for known defects of the pinned OpenMMLab stack, in one place.

Each function names the upstream defect it handles. ``apply()`` runs them all
once; ``mmkd_video/__init__.py`` calls it before anything imports
``mmaction.models``.
"""
import importlib.util
import sys
import types

import torch

_APPLIED = False


def patch_mmaction_missing_drn() -> None:
    """mmaction2 1.2.0's wheel lacks ``mmaction/models/localizers/drn``.

    ``mmaction/models/localizers/__init__.py`` does ``from .drn.drn import
    DRN``, so ``import mmaction.models`` fails with ModuleNotFoundError
    (open-mmlab/mmaction2#2714). We provide the two missing module objects
    with a ``DRN`` that explains the defect when someone builds it. DRN is
    a temporal-grounding localizer that mmkd_video does not use; it is not
    registered, so ``type='DRN'`` in a config fails with the registry's own
    "not in the model registry" error.
    """
    name = 'mmaction.models.localizers.drn'
    if name in sys.modules:
        return
    try:
        if importlib.util.find_spec(name) is not None:
            return  # a fixed mmaction2 ships the real module
    except ModuleNotFoundError:
        pass

    class DRN:  # noqa: D401 - a placeholder with a clear error only
        """Unavailable: missing from the mmaction2 1.2.0 wheel."""

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'DRN is missing from the mmaction2 1.2.0 wheel '
                '(open-mmlab/mmaction2#2714); install mmaction2 from source '
                'to use it.')

    package = types.ModuleType(name)
    package.__path__ = []  # mark as a package so `.drn` resolves below it
    module = types.ModuleType(name + '.drn')
    module.DRN = DRN
    package.drn = module
    sys.modules[name] = package
    sys.modules[name + '.drn'] = module


def patch_mmaction_head_bf16_scores() -> None:
    """mmaction2 1.2.0's ``BaseHead.loss_by_feat`` fails under bf16 AMP.

    It computes the logged top-k accuracy with
    ``cls_scores.detach().cpu().numpy()``, and numpy has no bfloat16, so a
    recognizer's task loss raises ``TypeError: Got unsupported ScalarType
    BFloat16`` inside ``torch.autocast(dtype=torch.bfloat16)`` (CPU, and
    CUDA ``--amp-dtype bfloat16``). The scores are upcast to float32 first:
    the cross-entropy runs in float32 under autocast anyway, so the loss
    value is unchanged. Other dtypes pass through untouched.
    """
    from mmaction.models.heads.base import BaseHead
    original = BaseHead.loss_by_feat
    if getattr(original, '_mmkd_bf16_safe', False):
        return

    def loss_by_feat(self, cls_scores, data_samples):
        if isinstance(cls_scores, torch.Tensor) and \
                cls_scores.dtype == torch.bfloat16:
            cls_scores = cls_scores.float()
        return original(self, cls_scores, data_samples)

    loss_by_feat._mmkd_bf16_safe = True
    loss_by_feat.__doc__ = original.__doc__
    BaseHead.loss_by_feat = loss_by_feat


def apply() -> None:
    """Apply every workaround once (idempotent)."""
    global _APPLIED
    if _APPLIED:
        return
    patch_mmaction_missing_drn()
    patch_mmaction_head_bf16_scores()
    _APPLIED = True
