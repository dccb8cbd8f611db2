"""Every demo distillation config builds and runs one real train step."""
import glob
import os.path as osp

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmkd_video.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO, 'configs', '*', '*synthetic-rgb.py'))
    if not osp.basename(p).startswith(('teacher_', 'student_')))


def fake_checkpoint(model_cfg_path, tmp_path, name):
    model = MODELS.build(Config.fromfile(model_cfg_path).model)
    path = tmp_path / name
    torch.save(dict(state_dict=model.state_dict()), path)
    return str(path)


def clips(n=2):
    g = torch.Generator().manual_seed(0)
    return dict(
        inputs=[torch.randint(0, 255, (1, 3, 8, 64, 64), dtype=torch.uint8,
                              generator=g) for _ in range(n)],
        data_samples=[ActionDataSample().set_gt_label(i) for i in range(n)])


def test_every_method_has_a_demo_config():
    names = {osp.basename(p).split('_')[0] for p in CONFIGS}
    assert {'kd', 'fitnet', 'at', 'genkd-phase1', 'genkd-phase2',
            'structkd-pi', 'structkd-pi-pa', 'structkd-pi-pa-ho'} <= names


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_demo_config_trains_one_step(path, tmp_path):
    torch.manual_seed(0)
    cfg = Config.fromfile(path)
    # a teacher-cache config trains the same model from a cache built on
    # its data (tests/tools/test_build_teacher_cache.py); here: live teacher
    cfg.model.pop('teacher_cache', None)
    if cfg.model.get('teacher') is not None:
        cfg.model.teacher_ckpt = fake_checkpoint(cfg.model.teacher, tmp_path,
                                                 'teacher.pth')
    if cfg.model.get('student_ckpt') is not None:
        cfg.model.student_ckpt = fake_checkpoint(cfg.model.student, tmp_path,
                                                 'student.pth')
    model = MODELS.build(cfg.model)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    model.train()
    before = {k: v.clone() for k, v in model.student.state_dict().items()}
    log_vars = model.train_step(clips(), optim)
    expected = {f'loss_{n}' for n in model.distill_losses} - {'loss_ho'}
    assert expected <= set(log_vars), (expected, set(log_vars))
    assert 'loss_cls' in log_vars
    assert all(torch.isfinite(v) for v in log_vars.values()), log_vars
    assert any(not torch.equal(v, before[k])
               for k, v in model.student.state_dict().items())
