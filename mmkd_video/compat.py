"""Workarounds for known defects of the pinned OpenMMLab stack, in one place.

Each function names the upstream defect it handles. ``apply()`` runs them all
once; ``mmkd_video/__init__.py`` calls it before anything imports
``mmaction.models``.
"""
import importlib.util
import os.path as osp
import sys

import torch

_APPLIED = False


class MissingMmactionRepairError(ImportError):
    """mmaction2 1.2.0 installed without the install-time drn repair."""


def check_mmaction_drn() -> None:
    """mmaction2 1.2.0's wheel lacks ``mmaction/models/localizers/drn``.

    ``mmaction/models/localizers/__init__.py`` does ``from .drn.drn import
    DRN``, so ``import mmaction.models`` fails with ModuleNotFoundError in
    any process (open-mmlab/mmaction2#2714). ``make install`` repairs the
    installed package once (``tools/repair_mmaction_drn.py``), so plain
    mmaction2 imports without mmkd_video. Here we only check that the repair
    is there and, if not, raise one error naming the command that fixes it
    (nothing is patched at runtime). Reading the files avoids importing
    ``mmaction.models``, the import that fails.
    """
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return  # no mmaction2: its own import error comes first
    localizers = osp.join(list(spec.submodule_search_locations)[0],
                          'models', 'localizers')
    init = osp.join(localizers, '__init__.py')
    if not osp.isfile(init) or osp.isfile(osp.join(localizers, 'drn',
                                                   'drn.py')):
        return
    with open(init) as f:
        if 'from .drn' not in f.read():
            return  # a fixed mmaction2 no longer imports drn
    script = osp.join(osp.dirname(osp.abspath(__file__)), '.mim', 'tools',
                      'repair_mmaction_drn.py')
    if not osp.isfile(script):  # a source checkout without .mim
        script = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                          'tools', 'repair_mmaction_drn.py')
    raise MissingMmactionRepairError(
        'the installed mmaction2 lacks mmaction/models/localizers/drn (a '
        'defect of the mmaction2 1.2.0 wheel, open-mmlab/mmaction2#2714), '
        'so `import mmaction.models` fails. Repair the installed package '
        f'once with:\n    {sys.executable} {script}\n(`make install` runs '
        'it; reinstalling mmaction2 undoes it.)')


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
    check_mmaction_drn()
    patch_mmaction_head_bf16_scores()
    _APPLIED = True
