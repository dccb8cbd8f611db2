"""Our child registries: own modules, mmaction2 fallback, helpful errors."""
import pytest
from mmaction.registry import MODELS as MMACTION_MODELS

from mmkd_video.registry import DATASETS, MODELS
from mmkd_video.utils import friendly_registry_errors


def test_scope_and_parent():
    assert MODELS.scope == 'mmkd_video'
    assert MODELS.parent is MMACTION_MODELS
    # ours by name; mmaction2's through the parent
    assert MODELS.get('VideoDistiller').__module__.startswith('mmkd_video')
    assert MODELS.get('Recognizer3D').__module__.startswith('mmaction')
    assert DATASETS.get('VideoDataset').__module__.startswith('mmaction')
    assert DATASETS.get('CheckedVideoDataset').__module__.startswith(
        'mmkd_video')
    # explicit scope prefix reaches mmaction2's own registry node
    assert MODELS.get('mmaction.I3DHead') is MMACTION_MODELS.get('I3DHead')


def test_unknown_type_lists_nearest_names():
    with pytest.raises(KeyError) as e, friendly_registry_errors():
        MODELS.build(dict(type='Recogniser3D'))
    msg = str(e.value)
    assert "'Recogniser3D'" in msg and 'Recognizer3D' in msg
    with pytest.raises(KeyError) as e, friendly_registry_errors():
        MODELS.build(dict(type='VideoDistillr', student=dict()))
    assert 'VideoDistiller' in str(e.value)


def test_unknown_type_through_tools_train(tmp_path):
    import subprocess
    import sys
    cfg = tmp_path / 'bad.py'
    cfg.write_text(
        "_base_ = ['" + __file__.rsplit('/tests/', 1)[0] +
        "/configs/baselines/student_r3d18-w8_1xb8-8x2x1-20e_synthetic-rgb.py']"
        "\nmodel = dict(backbone=dict(type='ResNet3dd'))\n")
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', str(cfg), '--work-dir',
         str(tmp_path / 'w')], capture_output=True, text=True,
        cwd=__file__.rsplit('/tests/', 1)[0], timeout=300)
    assert proc.returncode != 0
    assert "unknown model type 'ResNet3dd'" in proc.stderr
    assert 'ResNet3d' in proc.stderr.split("unknown model type")[1]
