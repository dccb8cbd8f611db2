"""Compatibility patches: explicit (never at import), version-gated, and the
bf16 head repair is needed and exact on the pinned mmaction2."""
import argparse
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmaction.models.heads.base import BaseHead
from mmaction.structures import ActionDataSample

import mmkd_video
from mmkd_video import compat
from mmkd_video.apis import setup_tool_process
from mmkd_video.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


@pytest.fixture
def restore_head(monkeypatch):
    """Undo any patch a test applies (monkeypatch restores the original)."""
    monkeypatch.setattr(BaseHead, 'loss_by_feat', BaseHead.loss_by_feat)
    assert not compat.is_bf16_scores_patched(), \
        'another test left the head repair applied'


def head_and_bf16_batch():
    head = MODELS.build(dict(type='mmaction.I3DHead', num_classes=4,
                             in_channels=8))
    scores = torch.randn(2, 4, generator=torch.Generator().manual_seed(0))
    samples = [ActionDataSample().set_gt_label(i) for i in (1, 3)]
    return head, scores.bfloat16(), samples


def test_import_does_not_patch_and_the_call_does():
    code = ('import mmkd_video\n'
            'from mmkd_video import compat\n'
            'assert not compat.is_bf16_scores_patched()\n'
            'print(mmkd_video.apply_compat_patches())\n'
            'assert compat.is_bf16_scores_patched()\n'
            'from mmaction.models.heads.base import BaseHead\n'
            'f = BaseHead.loss_by_feat\n'
            'mmkd_video.apply_compat_patches()\n'
            'assert BaseHead.loss_by_feat is f  # idempotent\n')
    out = subprocess.run([sys.executable, '-c', code], cwd=REPO,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'loss_by_feat' in out.stdout


def test_bf16_scores_fail_unpatched_and_match_float32_patched(restore_head):
    head, scores, samples = head_and_bf16_batch()
    with pytest.raises(TypeError, match='BFloat16'):
        head.loss_by_feat(scores, samples)  # the defect on mmaction2 1.2.0
    assert mmkd_video.apply_compat_patches() == [
        'mmaction2 BaseHead.loss_by_feat bf16 scores']
    patched = head.loss_by_feat(scores, samples)
    reference = head.loss_by_feat(scores.float(), samples)
    assert torch.equal(patched['loss_cls'], reference['loss_cls'])
    assert patched['loss_cls'].dtype == torch.float32


@pytest.mark.parametrize('version', ['1.1.0', '1.3.0', '2.0.0rc1'])
def test_patch_is_gated_on_the_mmaction_version(restore_head, monkeypatch,
                                                version):
    monkeypatch.setattr(compat, '_mmaction_version', lambda: version)
    original = BaseHead.loss_by_feat
    assert mmkd_video.apply_compat_patches() == []
    assert BaseHead.loss_by_feat is original


def test_tools_apply_the_patches(restore_head, monkeypatch):
    # tools/train.py and tools/test.py set up through this call
    monkeypatch.setenv('LOCAL_RANK', '0')
    setup_tool_process(argparse.Namespace(trust_checkpoint=False,
                                          local_rank=0))
    assert compat.is_bf16_scores_patched()
