"""Workarounds for known defects of the pinned OpenMMLab stack, in one place.

Each function names the upstream defect it handles and the library versions
it repairs. Two kinds:

* checks (``check_mmaction_drn``) change nothing; ``import mmkd_video`` runs
  them, so a broken install fails with one clear error.
* patches (``patch_mmaction_head_bf16_scores``) change a library's
  behaviour, so they are never applied as a side effect of ``import
  mmkd_video``: our tools (train, test, benchmark) apply them through
  :func:`apply_patches` (public as ``mmkd_video.apply_compat_patches()``),
  and so can any script that wants them. Each is gated on the version it
  repairs and does nothing on any other.
"""
import importlib.util
import os.path as osp
import sys
from typing import List

import torch
from mmengine.utils import digit_version

# [first, last) mmaction2 versions whose BaseHead.loss_by_feat calls .numpy()
# on the scores (1.2.0 is the pinned release).
BF16_SCORES_BROKEN = ('1.2.0', '1.3.0')


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


def _mmaction_version() -> str:
    import mmaction
    return mmaction.__version__


def patch_mmaction_head_bf16_scores() -> bool:
    """mmaction2 1.2.x's ``BaseHead.loss_by_feat`` fails under bf16 AMP.

    It computes the logged top-k accuracy with
    ``cls_scores.detach().cpu().numpy()``, and numpy has no bfloat16, so a
    recognizer's task loss raises ``TypeError: Got unsupported ScalarType
    BFloat16`` inside ``torch.autocast(dtype=torch.bfloat16)`` (CPU, and
    CUDA ``--amp-dtype bfloat16``). The scores are upcast to float32 first:
    the cross-entropy runs in float32 under autocast anyway, so the loss
    value is unchanged. Other dtypes pass through untouched.

    Gated on mmaction2 ``>= 1.2.0, < 1.3.0`` (``BF16_SCORES_BROKEN``): on
    another version nothing is patched. Idempotent.

    Returns:
        bool: Whether ``BaseHead.loss_by_feat`` is patched now.
    """
    first, end = BF16_SCORES_BROKEN
    if not (digit_version(first) <= digit_version(_mmaction_version()) <
            digit_version(end)):
        return False
    from mmaction.models.heads.base import BaseHead
    original = BaseHead.loss_by_feat
    if getattr(original, '_mmkd_bf16_safe', False):
        return True

    def loss_by_feat(self, cls_scores, data_samples):
        if isinstance(cls_scores, torch.Tensor) and \
                cls_scores.dtype == torch.bfloat16:
            cls_scores = cls_scores.float()
        return original(self, cls_scores, data_samples)

    loss_by_feat._mmkd_bf16_safe = True
    loss_by_feat.__doc__ = original.__doc__
    BaseHead.loss_by_feat = loss_by_feat
    return True


def is_bf16_scores_patched() -> bool:
    """Whether :func:`patch_mmaction_head_bf16_scores` is in effect."""
    from mmaction.models.heads.base import BaseHead
    return getattr(BaseHead.loss_by_feat, '_mmkd_bf16_safe', False)


def check() -> None:
    """Run the checks (no patching); ``import mmkd_video`` calls this."""
    check_mmaction_drn()


def apply_patches() -> List[str]:
    """Apply the patches that the installed versions need (idempotent).

    Returns:
        list[str]: The names of the patches in effect after the call.
    """
    applied = []
    if patch_mmaction_head_bf16_scores():
        applied.append('mmaction2 BaseHead.loss_by_feat bf16 scores')
    return applied
