"""GenKD's paper-setting configs: I3D / Top-I3D baselines and GenKD phases.

Every config parses with the paper's recipe (64x1x1 clips, 224 crops,
8 x 6 clips, SGD 1e-3 / 0.9 / 5e-4, Adam 1e-4 for the CVAEs, loss weights);
the baseline recognizers build at full width and run a small forward; the
GenKD distillers build at full width on the ``meta`` device (the two
attention + CVAE heads of 1024 channels with 7 x 7 kernels hold ~140 M
parameters each: real tensors would cost seconds and a 600 MB phase-1
checkpoint; meta tensors keep every key, shape and wiring check, including
the strict teacher load, at no cost), and their wiring trains one iteration
at a tiny width.
"""
import copy
import os
import os.path as osp

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config, ConfigDict
from mmengine.optim import OptimWrapperDict, build_optim_wrapper

import mmkd_video.models.backbones  # noqa: F401  (registers the backbones)
from mmkd_video.models.backbones import InceptionI3D, TopI3D
from mmkd_video.registry import MODELS
from mmkd_video.utils.export import save_student_checkpoint

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
I3D_BASE = 'configs/_base_/models/i3d_inception_ucf101.py'
TOP_BASE = 'configs/_base_/models/top_i3d_inception_ucf101.py'
DATASETS = {'ucf101': 101, 'hmdb51': 51}


def baseline(arch: str, dataset: str) -> str:
    return (f'configs/baselines/{arch}-inception_8xb6-64x1x1-200e_'
            f'{dataset}-split1-rgb.py')


def phase1(dataset: str) -> str:
    return ('configs/genkd/genkd-phase1_i3d-inception_8xb6-64x1x1-50e_'
            f'{dataset}-split1-rgb.py')


def phase2(dataset: str) -> str:
    return ('configs/genkd/genkd-phase2_i3d-to-top-i3d-inception_8xb6-'
            f'64x1x1-200e_{dataset}-split1-rgb.py')


BASELINES = [baseline(a, d) for d in DATASETS for a in ('i3d', 'top-i3d')]
GENKD = [p(d) for d in DATASETS for p in (phase1, phase2)]
# Mixed_5c of a 64 x 224 x 224 clip, and backbone parameters at full width
FEAT = (1024, 8, 7, 7)
N_I3D, N_TOP = 12_287_264, 10_429_088


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def load(path: str) -> Config:
    return Config.fromfile(osp.join(REPO, path))


def dataset_of(path: str) -> str:
    return 'ucf101' if 'ucf101' in path else 'hmdb51'


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def plain(value):
    """Config values as plain containers (ConfigDict -> dict, tuple ->
    list) for equality checks."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def clips(n: int = 2, frames: int = 8, size: int = 64) -> dict:
    inputs = [torch.randint(0, 256, (1, 3, frames, size, size),
                            dtype=torch.uint8) for _ in range(n)]
    samples = [ActionDataSample().set_gt_label(i) for i in range(n)]
    return dict(inputs=inputs, data_samples=samples)


# ----------------------------------------------------------------------
# model base configs
# ----------------------------------------------------------------------
def test_model_base_configs():
    i3d, top = load(I3D_BASE).model, load(TOP_BASE).model
    assert i3d.type == top.type == 'Recognizer3D'
    assert (i3d.backbone.type, top.backbone.type) == ('InceptionI3D',
                                                      'TopI3D')
    assert plain(i3d.backbone.norm_cfg) == dict(type='BN3d', eps=1e-3,
                                                momentum=0.01)
    head = i3d.cls_head
    assert (head.type, head.in_channels, head.num_classes, head.spatial_type,
            head.dropout_ratio) == ('I3DHead', 1024, 101, 'avg', 0.5)
    pre = i3d.data_preprocessor
    assert pre.format_shape == 'NCTHW'
    assert pre.mean == [123.675, 116.28, 103.53]
    assert pre.std == [58.395, 57.12, 57.375]
    # Top-I3D differs from the teacher only in its backbone type
    top_as_i3d = plain(top)
    top_as_i3d['backbone']['type'] = 'InceptionI3D'
    assert top_as_i3d == plain(i3d)


# ----------------------------------------------------------------------
# baselines
# ----------------------------------------------------------------------
@pytest.mark.parametrize('path', BASELINES)
def test_baseline_recipe(path):
    cfg = load(path)
    dataset = dataset_of(path)
    assert cfg.default_scope == 'mmkd_video'
    env = 'UCF101_ROOT' if dataset == 'ucf101' else 'HMDB51_ROOT'
    assert cfg.data_root == os.environ.get(env, f'data/{dataset}')
    assert cfg.model.cls_head.num_classes == DATASETS[dataset]
    assert cfg.model.backbone.type == ('TopI3D' if 'top-i3d' in path else
                                       'InceptionI3D')
    for split in ('train', 'val', 'test'):
        loader = cfg[f'{split}_dataloader']
        ds = loader.dataset
        # the dataset base config's dataset, paths from data_root
        assert ds.type == 'CheckedVideoDataset'
        assert ds.data_root == cfg.data_root
        assert ds.ann_file == (f'{dataset}_'
                               f'{"train" if split == "train" else "val"}'
                               '_split_1_videos.txt')
        pipeline = ds.pipeline
        sample = pipeline[1]
        assert (sample.type, sample.clip_len, sample.frame_interval,
                sample.num_clips) == ('SampleFrames', 64, 1, 1)
        assert sample.get('test_mode', False) == (split != 'train')
        assert pipeline[-2].input_format == 'NCTHW'
        if split == 'train':
            assert loader.batch_size == 6
            types = [t.type for t in pipeline]
            assert types[3:7] == ['Resize', 'MultiScaleCrop', 'Resize',
                                  'Flip']
            assert pipeline[4].input_size == 224
            assert pipeline[5].scale == (224, 224)
            # index 6: the Flip the dataset configs' synthetic-set note
            # (`pipeline.6.flip_ratio=0.0`) refers to
            assert pipeline[6].flip_ratio == 0.5
        else:
            assert pipeline[4].type == 'CenterCrop'
            assert pipeline[4].crop_size == 224
    assert cfg.train_cfg.max_epochs == 200
    assert plain(cfg.optim_wrapper.optimizer) == dict(
        type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4)
    assert cfg.param_scheduler is None  # constant lr
    assert cfg.auto_scale_lr.base_batch_size == 48


@pytest.mark.parametrize('dataset', DATASETS)
def test_top_i3d_baseline_is_the_teacher_baseline_with_top_i3d(dataset):
    i3d = plain(load(baseline('i3d', dataset))._cfg_dict)
    top = plain(load(baseline('top-i3d', dataset))._cfg_dict)
    model = plain(load(TOP_BASE).model)
    model['cls_head']['num_classes'] = DATASETS[dataset]
    assert top.pop('model') == model  # ../_base_/models/top_i3d_*
    i3d.pop('model')
    assert top == i3d  # data, schedule, runtime


@pytest.mark.parametrize('path', BASELINES)
def test_baseline_builds_and_runs(path):
    cfg = load(path)
    top = 'top-i3d' in path
    # full-size shapes on the meta device: no compute
    with torch.device('meta'):
        model = MODELS.build(cfg.model)
        feat = model.backbone(torch.empty(1, 3, 64, 224, 224))
    assert feat.shape == (1, *FEAT)
    # real weights, a small clip in loss mode
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert type(model.backbone) is (TopI3D if top else InceptionI3D)
    assert n_params(model.backbone) == (N_TOP if top else N_I3D)
    assert model.cls_head.fc_cls.out_features == cfg.model.cls_head.num_classes
    data = model.data_preprocessor(clips(n=2), training=True)
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss_cls'])


# ----------------------------------------------------------------------
# GenKD phases
# ----------------------------------------------------------------------
def recognizer_ckpt(model_cfg, path, device='meta'):
    """A fake checkpoint of ``model_cfg`` as tools/train.py saves it."""
    with torch.device(device):
        model = MODELS.build(model_cfg)
    torch.save(dict(state_dict=model.state_dict()), path)
    return str(path)


def build_phase1(dataset, tmp_path, device='meta', shrink=None):
    cfg = load(phase1(dataset))
    base = load(baseline('i3d', dataset)).model
    if shrink:
        shrink(cfg.model.student, base)
    cfg.model.student_ckpt = recognizer_ckpt(base, tmp_path / 'i3d.pth',
                                             device)
    with torch.device(device):
        model = MODELS.build(cfg.model)
    return cfg, model


def build_phase2(dataset, tmp_path, device='meta', shrink=None):
    _, p1 = build_phase1(dataset, tmp_path, device, shrink)
    # what phase 1's StudentExportHook writes: the teacher with its neck
    teacher_ckpt = str(tmp_path / 'student_latest.pth')
    if device == 'meta':  # the exporter copies to CPU; meta has no data
        torch.save(dict(state_dict=p1.student.state_dict()), teacher_ckpt)
    else:
        save_student_checkpoint(p1.state_dict(), teacher_ckpt)
    cfg = load(phase2(dataset))
    if shrink:
        shrink(cfg.model.student)
        shrink(cfg.model.teacher)
    cfg.model.teacher_ckpt = teacher_ckpt
    with torch.device(device):
        model = MODELS.build(cfg.model)  # the teacher is loaded strictly
    return cfg, model


@pytest.mark.parametrize('path', GENKD)
def test_genkd_recipe(path):
    cfg = load(path)
    dataset = dataset_of(path)
    is_phase1 = 'phase1' in path
    base = load(baseline('i3d' if is_phase1 else 'top-i3d', dataset))
    # data, runtime and validation are the baseline's
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader',
                'val_evaluator', 'default_hooks', 'data_root'):
        assert plain(cfg[key]) == plain(base[key]), key
    assert cfg.train_cfg.max_epochs == (50 if is_phase1 else 200)
    neck = dict(type='GenKDAttentionNeck', in_channels=1024, num_frames=8,
                feat_size=7)
    assert plain(cfg.model.student) == dict(plain(base.model), neck=neck)
    if is_phase1:
        assert cfg.model.student_ckpt == (
            f'work_dirs/{osp.basename(baseline("i3d", dataset))[:-3]}/'
            'epoch_200.pth')
        assert 'teacher' not in cfg.model
    else:
        teacher = plain(base.model)
        teacher['backbone']['type'] = 'InceptionI3D'
        assert plain(cfg.model.teacher) == dict(teacher, neck=neck)
        assert cfg.model.teacher_ckpt == (
            f'work_dirs/{osp.basename(phase1(dataset))[:-3]}/'
            'student_latest.pth')
        losses = cfg.model.distill_losses
        assert losses.cvae.kl_weight == 0.1
        assert losses.gd.loss_weight == 0.01
        assert losses.ad.loss_weight == 0.1
        assert losses.rec.loss_weight == 0.5
        assert plain(losses.rec.schedule) == dict(warmup=20, by_epoch=True,
                                                one_based=True)
    assert cfg.model.distill_losses.cvae.kl_weight == 0.1
    optim = cfg.optim_wrapper
    assert optim.constructor == 'DistillerOptimWrapperConstructor'
    assert plain(optim.cvae.optimizer) == dict(type='Adam', lr=1e-4,
                                               betas=[0.8, 0.999])
    assert plain(optim.network.optimizer) == dict(
        type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4)
    assert cfg.param_scheduler is None


def test_hmdb51_genkd_mirrors_ucf101():
    for config in (phase1, phase2):
        ucf, hmdb = load(config('ucf101')), load(config('hmdb51'))
        ucf_model = plain(ucf.model)
        for part in ('student', 'teacher'):
            if part in ucf_model:
                ucf_model[part]['cls_head']['num_classes'] = 51
        for key in ('student_ckpt', 'teacher_ckpt'):
            if key in ucf_model:
                ucf_model[key] = ucf_model[key].replace('ucf101', 'hmdb51')
        assert ucf_model == plain(hmdb.model)
        for key in ('optim_wrapper', 'train_cfg', 'param_scheduler',
                    'custom_hooks'):
            assert plain(ucf[key]) == plain(hmdb[key]), key


@pytest.mark.parametrize('dataset', DATASETS)
def test_genkd_phase1_builds_at_full_size(dataset, tmp_path):
    cfg, model = build_phase1(dataset, tmp_path)
    student = model.student
    assert model.teacher is None
    assert type(student.backbone) is InceptionI3D
    assert n_params(student.backbone) == N_I3D
    assert not any(p.requires_grad for p in student.backbone.parameters())
    with torch.no_grad():
        feat = student.backbone(
            torch.empty(1, 3, 64, 224, 224, device='meta'))
        out, _ = student.neck(feat)  # checks T = 8 and 7 x 7
        cvae = student.neck.head(feat, student.neck.head.attention(feat))
    assert feat.shape == out.shape == (1, *FEAT)
    assert cvae['recon'].shape == (1, *FEAT)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    assert isinstance(optim, OptimWrapperDict)
    assert set(optim.keys()) == {'cvae', 'network'}
    assert type(optim['cvae'].optimizer).__name__ == 'Adam'
    assert type(optim['network'].optimizer).__name__ == 'SGD'


@pytest.mark.parametrize('dataset', DATASETS)
def test_genkd_phase2_builds_at_full_size(dataset, tmp_path):
    cfg, model = build_phase2(dataset, tmp_path)
    assert type(model.student.backbone) is TopI3D
    assert type(model.teacher.backbone) is InceptionI3D
    assert n_params(model.student.backbone) == N_TOP
    assert model.student.neck.proj is None  # 1024 = 1024: no projection
    assert model.student.cls_head.fc_cls.out_features == DATASETS[dataset]
    assert not any(p.requires_grad for p in model.teacher.parameters())
    with torch.no_grad():
        x = torch.empty(1, 3, 64, 224, 224, device='meta')
        feat_s = model.student.backbone(x)
        feat_t = model.teacher.backbone(x)
        att_s = model.student.neck.head.attention(feat_s)
        att_t = model.teacher.neck.head.attention(feat_t)
    assert feat_s.shape == feat_t.shape == (1, *FEAT)
    assert att_s.shape == att_t.shape == (1, 1024, 8)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    assert set(optim.keys()) == {'cvae', 'network'}


def tiny(model_cfg, *more):
    """Shrink recognizer configs in place to width 1/8 (Mixed_5c: 128
    channels) and the GenKD neck to the [N, 128, 1, 1, 1] feature of an
    8 x 32 x 32 clip."""
    for cfg in (model_cfg, *more):
        cfg.backbone.width_multiplier = 0.125
        cfg.cls_head.in_channels = 128
        if 'neck' in cfg:
            cfg.neck.update(in_channels=128, num_frames=1, feat_size=1)


def test_genkd_wiring_trains_one_iteration_at_tiny_size(tmp_path):
    torch.manual_seed(0)
    data = clips(n=2, frames=8, size=32)
    expected = {
        phase1: ('loss_cls', 'loss_cvae'),
        phase2: ('loss_cls', 'loss_cvae', 'loss_gd', 'loss_rec', 'loss_ad'),
    }
    for builder, config in ((build_phase1, phase1), (build_phase2, phase2)):
        work = tmp_path / config.__name__
        work.mkdir()
        cfg, model = builder('ucf101', work, 'cpu', shrink=tiny)
        model.init_weights()
        optim = build_optim_wrapper(model, cfg.optim_wrapper)
        model.train()
        log_vars = model.train_step(copy.deepcopy(data), optim)
        for key in expected[config]:
            assert key in log_vars and torch.isfinite(log_vars[key]), key


def test_config_dicts_are_config_dicts():
    # the GenKD configs derive their models from `_base_.model`: the result
    # must stay a plain (dumpable) config
    for path in GENKD:
        cfg = load(path)
        assert isinstance(cfg.model.student, ConfigDict)
        assert 'GenKDAttentionNeck' in cfg.pretty_text
