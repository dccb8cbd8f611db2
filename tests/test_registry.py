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


# --- Our modules build their parts in a user's mmaction2-scoped config ----
import os.path as osp  # noqa: E402

import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import MODELS as ROOT_MODELS  # noqa: E402
from mmengine.registry import DefaultScope, Registry  # noqa: E402

from mmkd_video.utils.registry_errors import suggest  # noqa: E402

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
BASE_MODELS = osp.join(REPO, 'configs', '_base_', 'models')


def build_as_runner(cfg, scope='mmaction'):
    """Build like a Runner whose config says ``default_scope=scope``."""
    with DefaultScope.overwrite_default_scope(scope):
        return ROOT_MODELS.build(cfg)


def test_genkd_neck_builds_its_head_under_the_mmaction_scope():
    # the case: a user's recognizer, default scope 'mmaction'
    model = Config.fromfile(
        osp.join(BASE_MODELS, 'demo_student_r3d18_tiny_genkd.py')).model
    model.neck.type = 'mmkd_video.GenKDAttentionNeck'
    recognizer = build_as_runner(model)
    assert type(recognizer.neck.head).__name__ == 'GenerativeAttentionHead'
    x = torch.rand(1, 1, 3, 8, 64, 64)
    assert recognizer(x, mode='tensor', stage='head').shape == (1, 10)


def test_each_part_builder_works_under_the_mmaction_scope():
    roi = build_as_runner(dict(
        type='mmkd_video.GenKDRoIAttention', in_channels=16, num_frames=2,
        roi_size=4, head=dict(num_groups=4)))
    assert type(roi.head).__name__ == 'GenerativeAttentionHead'
    holistic = build_as_runner(dict(
        type='mmkd_video.HolisticDistillLoss',
        discriminator=dict(type='StructKDDiscriminator', in_channels=5,
                           input_size=(8, 2, 2), base_channels=8)))
    assert type(holistic.discriminator).__name__ == 'StructKDDiscriminator'
    seq = build_as_runner(dict(
        type='mmkd_video.SequentialConnector', connectors=[
            dict(type='ConvNormConnector', in_channels=4, out_channels=6,
                 dims=3),
            dict(type='ResizeConnector', size=(None, 2, 2))]))
    assert seq(torch.rand(1, 4, 2, 5, 5)).shape == (1, 6, 2, 2, 2)


@pytest.mark.parametrize('method', [
    'structkd/structkd-pi-pa-ho_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb',
    'genkd/genkd-phase2_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb'])
def test_distiller_builds_its_parts_under_the_mmaction_scope(
        method, tmp_path):
    """The whole distiller (student with GenKD neck, teacher, connectors,
    losses, the critic) from our method config, built like a Runner with
    ``default_scope='mmaction'``."""
    model = Config.fromfile(osp.join(REPO, 'configs', method + '.py')).model
    teacher = MODELS.build(Config.fromfile(model.teacher).model)
    ckpt = str(tmp_path / 'teacher.pth')
    torch.save(dict(state_dict=teacher.state_dict()), ckpt)
    model.update(type='mmkd_video.VideoDistiller', teacher_ckpt=ckpt)
    distiller = build_as_runner(model)
    for name, cfg in model.distill_losses.items():
        assert type(distiller.distill_losses[name]).__name__ == cfg.type
    for name, cfg in model.get('distill_modules', {}).items():
        assert type(distiller.distill_modules[name]).__name__ == cfg.type
    assert type(distiller.student).__name__ == 'Recognizer3D'


def test_a_users_own_scope_keeps_its_names():
    """Under a user's own default scope (another branch of the registry
    tree), a name that scope registers keeps its meaning where our modules
    build parts (e.g. the distiller's losses and connectors); names only we
    register build from ours."""
    from mmaction.registry import MODELS as MMACTION_MODELS
    branch = Registry('model', parent=MMACTION_MODELS,
                      scope='mmkd_test_user_pkg')

    @branch.register_module(name='ResizeConnector')
    class UsersResize(torch.nn.Identity):
        pass

    try:
        with DefaultScope.overwrite_default_scope('mmkd_test_user_pkg'):
            theirs = MODELS.build(dict(type='ResizeConnector'))
            ours = MODELS.build(dict(type='ConvNormConnector', in_channels=4,
                                     out_channels=6, dims=3))
    finally:  # leave the registry tree as other tests expect it
        MMACTION_MODELS._children.pop('mmkd_test_user_pkg')
    assert isinstance(theirs, UsersResize)
    assert type(ours).__name__ == 'ConvNormConnector'


def test_type_in_another_scope_names_the_scope_and_both_fixes():
    model = Config.fromfile(
        osp.join(BASE_MODELS, 'demo_student_r3d18_tiny_genkd.py')).model
    # unprefixed: mmaction2's Recognizer3D builds its neck from mmaction's
    # registry, where our neck does not exist
    with pytest.raises(KeyError) as e, friendly_registry_errors():
        build_as_runner(model)
    msg = str(e.value)
    assert "'GenKDAttentionNeck' is registered in scope 'mmkd_video'" in msg
    assert "type='mmkd_video.GenKDAttentionNeck'" in msg
    assert "default_scope='mmkd_video'" in msg
    assert 'Nearest' not in msg


def test_suggestions_never_offer_the_requested_name():
    assert 'GenKDAttentionNeck' not in suggest('GenKDAttentionNeck', MODELS)
    assert 'Recognizer3D' in suggest('Recognizer3d', MODELS)
