"""--amp: every optimizer of a distiller becomes an AmpOptimWrapper; a CPU
bfloat16 smoke run of both two-optimizer methods (GenKD, StructKD Ho)."""
import os.path as osp

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmkd_video import apply_compat_patches
from mmkd_video.registry import MODELS
from mmkd_video.utils import enable_amp
from mmkd_video.apis import use_random_teacher
from mmkd_video.engine.optimizers import DataParallelAmpOptimWrapper

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = 'r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
GENKD = f'configs/genkd/genkd-phase2_{DEMO}'
HO = f'configs/structkd/structkd-pi-pa-ho_{DEMO}'
KD = f'configs/baselines/kd_{DEMO}'


def clips(n=2):
    g = torch.Generator().manual_seed(0)
    return dict(inputs=[torch.randint(0, 255, (1, 3, 8, 64, 64), generator=g,
                                      dtype=torch.uint8) for _ in range(n)],
                data_samples=[ActionDataSample().set_gt_label(i)
                              for i in range(n)])


def test_enable_amp_switches_every_optim_wrapper():
    cfg = Config.fromfile(osp.join(REPO, GENKD))
    assert enable_amp(cfg.optim_wrapper, 'bfloat16') == 2
    for name in ('cvae', 'network'):
        # our configs' gradient-averaging wrapper keeps averaging under AMP
        assert cfg.optim_wrapper[name].type == 'DataParallelAmpOptimWrapper'
        assert cfg.optim_wrapper[name].dtype == 'bfloat16'
        assert cfg.optim_wrapper[name].modules  # still routed by module
    single = Config.fromfile(osp.join(REPO, KD)).optim_wrapper
    assert enable_amp(single) == 1
    assert single.type == 'DataParallelAmpOptimWrapper'
    assert 'dtype' not in single  # mmengine's default: float16
    # mmengine's own wrapper, by default or by name, and a scoped name
    plain = dict(optimizer=dict(type='SGD'))
    assert enable_amp(plain) == 1 and plain['type'] == 'AmpOptimWrapper'
    scoped = dict(type='mmkd_video.DataParallelOptimWrapper',
                  optimizer=dict(type='SGD'))
    enable_amp(scoped)
    assert scoped['type'] == 'mmkd_video.DataParallelAmpOptimWrapper'


def test_enable_amp_rejects_bad_input():
    with pytest.raises(ValueError, match="expected the AMP dtype"):
        enable_amp(dict(optimizer=dict(type='SGD')), 'float8')
    with pytest.raises(ValueError, match='ApexOptimWrapper'):
        enable_amp(dict(type='ApexOptimWrapper', optimizer=dict(type='SGD')))
    with pytest.raises(ValueError, match='no optim wrapper'):
        enable_amp(dict(constructor='DistillerOptimWrapperConstructor'))


@pytest.fixture
def amp_on_cpu(monkeypatch):
    # mmengine 0.10.7's AmpOptimWrapper.__init__ asserts a GPU/NPU/MLU/MUSA.
    # Lift only that gate: the rest is real (mmengine's autocast picks
    # torch's CPU bfloat16 autocast; the CUDA GradScaler disables itself).
    monkeypatch.setattr(
        'mmengine.optim.optimizer.amp_optimizer_wrapper.is_cuda_available',
        lambda: True)


@pytest.fixture
def head_repair(monkeypatch):
    # as tools/train.py does; undone after the test (import leaves it off)
    from mmaction.models.heads.base import BaseHead
    monkeypatch.setattr(BaseHead, 'loss_by_feat', BaseHead.loss_by_feat)
    apply_compat_patches()


@pytest.mark.parametrize('config,second', [(GENKD, 'cvae'),
                                           (HO, 'discriminator')])
def test_bf16_autocast_train_step_on_cpu(amp_on_cpu, head_repair, config,
                                         second):
    cfg = Config.fromfile(osp.join(REPO, config))
    use_random_teacher(cfg)
    enable_amp(cfg.optim_wrapper, 'bfloat16')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    assert all(isinstance(optim[k], DataParallelAmpOptimWrapper)
               for k in optim.keys())
    assert optim[second].cast_dtype == torch.bfloat16

    dtypes = {}

    def watch(name):
        def hook(module, args, out):
            dtypes.setdefault(name, out.dtype)
        return hook

    model.teacher.backbone.register_forward_hook(watch('teacher'))
    model.student.backbone.register_forward_hook(watch('student'))
    owned = [p for g in optim[second].optimizer.param_groups
             for p in g['params']]
    before = [p.detach().clone() for p in owned]
    s_before = [p.detach().clone()
                for p in model.student.backbone.parameters()]

    log_vars = model.train_step(clips(), optim)

    assert dtypes == dict(teacher=torch.bfloat16, student=torch.bfloat16)
    losses = {k: v for k, v in log_vars.items() if k.startswith('loss')}
    assert len(losses) >= 4
    for key, value in losses.items():  # losses computed in float32
        assert value.dtype == torch.float32 and torch.isfinite(value), key
    assert any(not torch.equal(a, b) for a, b in zip(before, owned)), \
        f'the {second} optimizer did not step'
    assert any(not torch.equal(a, b.detach()) for a, b in
               zip(s_before, model.student.backbone.parameters()))
    assert all(p.dtype == torch.float32 for p in model.parameters())
