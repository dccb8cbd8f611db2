"""The TSM-R50 -> TSM-MobileNetV2 configs on Kinetics-400 and UCF101 split 1.

Every config parses; the baselines are mmaction2's recipe with only the
registries and the dataset paths changed; every model builds offline
(``pretrained=None, pretrained2d=False``), with the real feature shapes at
224 x 224; every distiller runs one training iteration with its own
optimizer config; and (slow) tools/train.py trains the UCF101 TSM-R50
baseline and the two-optimizer StructKD distiller on a generated set.
"""
import copy
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import load_checkpoint

from mmkd_video.datasets import CheckedVideoDataset, generate_dataset
from mmkd_video.registry import DATASETS, MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MMACTION_TSM = 'mmaction::recognition/tsm/tsm_imagenet-pretrained-'
TAIL_K400 = '8xb16-1x1x8-{}e_kinetics400-rgb.py'
PAIR = 'tsm-r50-to-mobilenetv2_8xb16-1x1x8-'
K400, UCF = '100e_kinetics400-rgb.py', '25e_ucf101-split1-rgb.py'

R50_K400 = 'configs/baselines/tsm-r50_8xb16-1x1x8-50e_kinetics400-rgb.py'
MNV2_K400 = ('configs/baselines/'
             'tsm-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb.py')
R50_UCF = 'configs/baselines/tsm-r50_8xb16-1x1x8-25e_ucf101-split1-rgb.py'
MNV2_UCF = ('configs/baselines/'
            'tsm-mobilenetv2_8xb16-1x1x8-25e_ucf101-split1-rgb.py')
# baseline -> (backbone channels, classes)
BASELINES = {
    R50_K400: (2048, 400),
    MNV2_K400: (1280, 400),
    R50_UCF: (2048, 101),
    MNV2_UCF: (1280, 101),
}
KD_K400 = f'configs/baselines/kd_{PAIR}{K400}'
KD_UCF = f'configs/baselines/kd_{PAIR}{UCF}'
HO_K400 = f'configs/structkd/structkd-pi-pa-ho_{PAIR}{K400}'
HO_UCF = f'configs/structkd/structkd-pi-pa-ho_{PAIR}{UCF}'
# distiller -> (classes, distill loss terms logged)
DISTILLERS = {
    KD_K400: (400, ['loss_kd']),
    KD_UCF: (101, ['loss_kd']),
    f'configs/baselines/fitnet_{PAIR}{K400}': (400, ['loss_fitnet']),
    f'configs/baselines/fitnet_{PAIR}{UCF}': (101, ['loss_fitnet']),
    f'configs/baselines/at_{PAIR}{K400}': (400, ['loss_at']),
    f'configs/baselines/at_{PAIR}{UCF}': (101, ['loss_at']),
    f'configs/structkd/structkd-pi_{PAIR}{K400}': (400, ['loss_pi']),
    f'configs/structkd/structkd-pi-pa_{PAIR}{K400}':
    (400, ['loss_pi', 'loss_pa']),
    HO_K400: (400, ['loss_pi', 'loss_pa', 'loss_adv_g', 'loss_adv_d',
                    'loss_gp']),
    HO_UCF: (101, ['loss_pi', 'loss_pa', 'loss_adv_g', 'loss_adv_d',
                   'loss_gp']),
}
NUM_SEGS = 8


def load(path: str) -> Config:
    return Config.fromfile(osp.join(REPO, path))


def unscoped(value):
    """``value`` as plain containers without mmengine's ``_scope_`` keys."""
    if isinstance(value, dict):
        return {k: unscoped(v) for k, v in value.items() if k != '_scope_'}
    if isinstance(value, (list, tuple)):
        return [unscoped(v) for v in value]
    return value


def offline(model_cfg):
    """A recognizer config without the ImageNet download (mmaction2's TSM
    backbones load `pretrained` whenever `pretrained2d`, even None)."""
    model_cfg = copy.deepcopy(model_cfg)
    model_cfg.backbone.pretrained = None
    model_cfg.backbone.pretrained2d = False
    return model_cfg


def clip_batch(num_classes: int, n: int = 1, size: int = 224) -> dict:
    """``n`` clips of 8 frames (TSM's 1x1x8 sampling), as the loader packs
    them: inputs [8, 3, size, size] uint8 per clip."""
    gen = torch.Generator().manual_seed(0)
    inputs = [torch.randint(0, 256, (NUM_SEGS, 3, size, size),
                            dtype=torch.uint8, generator=gen)
              for _ in range(n)]
    samples = [ActionDataSample().set_gt_label(
        torch.tensor([i % num_classes])) for i in range(n)]
    return dict(inputs=inputs, data_samples=samples)


# ----------------------------------------------------------------------
# parsing and recipes
# ----------------------------------------------------------------------
@pytest.mark.parametrize('path', [*BASELINES, *DISTILLERS])
def test_config_parses_with_rerootable_data(path):
    cfg = load(path)
    assert cfg.default_scope == 'mmkd_video'
    assert cfg.custom_imports.imports == ['mmkd_video']
    ucf = 'ucf101' in path
    assert cfg.data_root == (
        os.environ.get('UCF101_ROOT', 'data/ucf101') if ucf else
        os.environ.get('KINETICS400_ROOT', 'data/kinetics400'))
    for split in ('train', 'val', 'test'):
        dataset = cfg[f'{split}_dataloader'].dataset
        assert dataset.type == 'CheckedVideoDataset'
        # resolvable where the Runner builds it (mmaction:: bases scope
        # their parts to mmaction2's registries)
        with DATASETS.switch_scope_and_registry(
                dataset.get('_scope_')) as registry:
            assert registry.get(dataset.type) is CheckedVideoDataset
        # every path derived from data_root: tools/train.py re-roots them
        assert dataset.data_root == cfg.data_root
        assert '/' not in dataset.ann_file
        assert dataset.ann_file == (
            f'ucf101_{"train" if split == "train" else "val"}_split_1_'
            'videos.txt' if ucf else
            f'kinetics400_{"train" if split == "train" else "val"}_list_'
            'videos.txt')
        assert dataset.data_prefix.video == (
            'videos' if ucf else
            'videos_train' if split == 'train' else 'videos_val')
        # TSM input: 8 segments of one frame, NCHW
        sample = dataset.pipeline[1]
        assert (sample.type, sample.clip_len, sample.num_clips) == \
            ('SampleFrames', 1, NUM_SEGS)
        assert dataset.pipeline[-2].input_format == 'NCHW'


@pytest.mark.parametrize('ours, theirs', [
    (R50_K400, MMACTION_TSM + 'r50_' + TAIL_K400.format(50)),
    (MNV2_K400, MMACTION_TSM + 'mobilenetv2_' + TAIL_K400.format(100)),
])
def test_k400_baseline_is_mmaction2_recipe(ours, theirs):
    from mmengine.hub import get_config
    ours, theirs = load(ours), get_config(theirs)
    # inheriting an mmaction:: config builds its parts in mmaction2's scope
    assert ours.model._scope_ == 'mmaction'
    # the same ImageNet weights, from a local file (no download at run time)
    ours_model, theirs_model = copy.deepcopy(ours.model), \
        copy.deepcopy(theirs.model)
    assert ours_model.backbone.pop('pretrained').startswith(
        'checkpoints/imagenet/')
    assert '://' in theirs_model.backbone.pop('pretrained')
    assert unscoped(ours_model) == unscoped(theirs_model)
    # mmaction2's optim wrapper, as the one that averages over ranks
    # (DistillerDataParallel needs it)
    optim_wrapper = copy.deepcopy(ours.optim_wrapper)
    assert optim_wrapper.pop('type') == 'DataParallelOptimWrapper'
    assert 'type' not in theirs.optim_wrapper
    assert unscoped(optim_wrapper) == unscoped(theirs.optim_wrapper)
    for key in ('param_scheduler', 'train_cfg',
                'val_cfg', 'test_cfg', 'auto_scale_lr', 'load_from',
                'val_evaluator', 'test_evaluator'):
        assert unscoped(ours[key]) == unscoped(theirs[key]), key
    # the same hooks, plus ours for exact resume and safe checkpoints, and
    # atomic checkpoint writes
    hooks = copy.deepcopy(ours.default_hooks)
    assert hooks.pop('random_state') == dict(type='RandomStateHook')
    assert hooks.pop('finite_checkpoint') == dict(type='FiniteCheckpointHook')
    assert hooks.pop('plain_checkpoint') == dict(type='PlainCheckpointHook')
    assert hooks.checkpoint.pop('backend_args') == dict(backend='atomic_local')
    assert unscoped(hooks) == unscoped(theirs.default_hooks)
    assert ours.model_wrapper_cfg == dict(type='DistillerDataParallel')
    for split in ('train', 'val', 'test'):
        a, b = ours[f'{split}_dataloader'], theirs[f'{split}_dataloader']
        assert unscoped(a.dataset.pipeline) == unscoped(b.dataset.pipeline)
        assert (a.batch_size, unscoped(a.sampler)) == \
            (b.batch_size, unscoped(b.sampler))
        # the same files: mmaction2's absolute-ish paths = ours joined
        assert osp.join(a.dataset.data_root, a.dataset.ann_file) == \
            b.dataset.ann_file
        assert osp.join(a.dataset.data_root, a.dataset.data_prefix.video) \
            == b.dataset.data_prefix.video


@pytest.mark.parametrize('ucf, k400', [(R50_UCF, R50_K400),
                                       (MNV2_UCF, MNV2_K400)])
def test_ucf101_baseline_fine_tunes_the_k400_model(ucf, k400):
    ucf, k400 = load(ucf), load(k400)
    expected = copy.deepcopy(k400.model)
    expected.cls_head.num_classes = 101
    assert ucf.model == expected
    assert ucf.train_cfg.max_epochs == 25
    assert [s.milestones for s in ucf.param_scheduler] == [[10, 20]]
    assert ucf.optim_wrapper.optimizer.lr == 0.002
    assert ucf.optim_wrapper.constructor == 'TSMOptimWrapperConstructor'
    assert ucf.load_from is None  # K400 checkpoint: --cfg-options load_from
    for split in ('train', 'val', 'test'):
        assert ucf[f'{split}_dataloader'].dataset.pipeline == \
            k400[f'{split}_dataloader'].dataset.pipeline


@pytest.mark.parametrize('path', list(DISTILLERS))
def test_distiller_student_is_its_baseline(path):
    cfg = load(path)
    baseline = load(MNV2_UCF if 'ucf101' in path else MNV2_K400)
    assert cfg.model.student == baseline.model
    teacher = load(R50_UCF if 'ucf101' in path else R50_K400).model
    # all teacher weights come from teacher_ckpt
    assert unscoped(cfg.model.teacher) == unscoped(offline(teacher))
    assert cfg.train_cfg == baseline.train_cfg
    for split in ('train', 'val', 'test'):
        assert cfg[f'{split}_dataloader'] == baseline[f'{split}_dataloader']


# ----------------------------------------------------------------------
# building, shapes
# ----------------------------------------------------------------------
@pytest.mark.parametrize('path', list(BASELINES))
def test_recognizer_builds_with_tsm_shapes(path):
    channels, num_classes = BASELINES[path]
    model = MODELS.build(offline(load(path).model)).eval()
    inputs = torch.randn(1, NUM_SEGS, 3, 224, 224)
    with torch.no_grad():
        feat = model(inputs, mode='tensor', stage='backbone')
        logits = model.cls_head(feat, num_segs=NUM_SEGS)
    # segments folded into the batch, stride 32
    assert feat.shape == (NUM_SEGS, channels, 7, 7)
    # TSMHead: fc_cls per segment, then the mean over the 8 segments
    assert logits.shape == (1, num_classes)
    assert model.cls_head.fc_cls.in_features == channels


@pytest.fixture(scope='module')
def teacher_ckpts(tmp_path_factory):
    """A checkpoint of each teacher (400 and 101 classes) made from the
    built teacher itself, as the distillers load them."""
    root = tmp_path_factory.mktemp('teachers')
    ckpts = {}
    for num_classes, path in ((400, KD_K400), (101, KD_UCF)):
        # module-scoped: before conftest's default scope fixture
        with DefaultScope.overwrite_default_scope('mmkd_video'):
            teacher = MODELS.build(offline(load(path).model.teacher))
        ckpts[num_classes] = str(root / f'teacher_{num_classes}.pth')
        torch.save({'state_dict': teacher.state_dict()}, ckpts[num_classes])
    return ckpts


def build_distiller(path, teacher_ckpts, **overrides):
    cfg = load(path)
    cfg.model.student = offline(cfg.model.student)
    cfg.model.teacher = offline(cfg.model.teacher)
    cfg.model.teacher_ckpt = teacher_ckpts[DISTILLERS[path][0]]
    cfg.model.update(overrides)
    return cfg, MODELS.build(cfg.model)


@pytest.mark.parametrize('path', list(DISTILLERS))
def test_distiller_builds_and_trains_one_iteration(path, teacher_ckpts):
    num_classes, terms = DISTILLERS[path]
    cfg, model = build_distiller(path, teacher_ckpts)
    state = torch.load(teacher_ckpts[num_classes])['state_dict']
    assert torch.equal(model.teacher.cls_head.fc_cls.weight,
                       state['cls_head.fc_cls.weight'])
    assert model.student.cls_head.fc_cls.out_features == num_classes
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    model.train()
    # 112 x 112 keeps it light: both nets give 4 x 4 maps (7 x 7 at 224,
    # test_recorded_shapes_at_224)
    log_vars = model.train_step(clip_batch(num_classes, size=112),
                                optim_wrapper)
    assert set(terms) | {'loss_cls'} <= set(log_vars)
    assert all(torch.isfinite(v) for v in log_vars.values())


def test_recorded_shapes_at_224(teacher_ckpts):
    """The tensors the methods use, as TSM gives them: per segment-frame
    7 x 7 features and class maps, clip logits after the consensus."""
    _, model = build_distiller(HO_K400, teacher_ckpts)
    model.train()
    data = model.data_preprocessor(clip_batch(400, n=1), True)
    _, records = model.run_models(data['inputs'], data['data_samples'])
    student, teacher = records['student']['feat'], records['teacher']['feat']
    assert tuple(student.shape) == (NUM_SEGS, 1280, 7, 7)
    assert tuple(teacher.shape) == (NUM_SEGS, 2048, 7, 7)
    class_map = model.distill_modules['class_map']
    s_map = class_map(student, model.student.cls_head.fc_cls)
    t_map = class_map(teacher, model.teacher.cls_head.fc_cls)
    assert s_map.shape == t_map.shape == (NUM_SEGS, 400, 7, 7)
    # the teacher only runs its backbone for StructKD
    assert model.teacher_stage == 'backbone'

    # KD records TSMHead's output: [N, K], not fc_cls's [N * 8, K]
    _, kd = build_distiller(KD_K400, teacher_ckpts)
    kd.train()
    data = kd.data_preprocessor(clip_batch(400, n=2, size=112), True)
    _, records = kd.run_models(data['inputs'], data['data_samples'])
    assert tuple(records['student']['logits'].shape) == (2, 400)
    assert tuple(records['teacher']['logits'].shape) == (2, 400)
    assert kd.teacher_stage == 'head'


# ----------------------------------------------------------------------
# optimizer policy and initialisation
# ----------------------------------------------------------------------
def lr_wd(optim_wrapper, params):
    """``id(param) -> (lr, weight_decay)`` for ``params``."""
    wanted = {id(p) for p in params}
    table = {}
    for group in optim_wrapper.optimizer.param_groups:
        for p in group['params']:
            if id(p) in wanted:
                assert id(p) not in table
                table[id(p)] = (group['lr'], group['weight_decay'])
    assert len(table) == len(wanted)
    return table


@pytest.mark.parametrize('path, baseline', [(KD_K400, MNV2_K400),
                                            (KD_UCF, MNV2_UCF),
                                            (HO_K400, MNV2_K400),
                                            (HO_UCF, MNV2_UCF)])
def test_student_gets_the_tsm_fc_lr5_policy(path, baseline, teacher_ckpts):
    cfg, model = build_distiller(path, teacher_ckpts)
    ours = build_optim_wrapper(model, cfg.optim_wrapper)
    if 'student' in getattr(ours, 'optim_wrappers', {}):
        ours = ours['student']
    # mmaction2's TSMOptimWrapperConstructor on the student alone
    reference = build_optim_wrapper(model.student,
                                    load(baseline).optim_wrapper)
    params = list(model.student.parameters())
    assert lr_wd(ours, params) == lr_wd(reference, params)
    fc = model.student.cls_head.fc_cls
    base_lr = reference.optimizer.defaults['lr']
    assert lr_wd(ours, [fc.weight])[id(fc.weight)][0] == 5 * base_lr
    assert lr_wd(ours, [fc.bias])[id(fc.bias)] == (10 * base_lr, 0)


def test_k400_checkpoints_initialise_the_ucf101_models(tmp_path,
                                                       teacher_ckpts):
    k400 = MODELS.build(offline(load(MNV2_K400).model))
    path = str(tmp_path / 'k400.pth')
    torch.save({'state_dict': k400.state_dict()}, path)

    # baseline: `load_from` (the Runner loads non-strictly; the 400-way
    # classifier is skipped on its shape)
    ucf = MODELS.build(offline(load(MNV2_UCF).model))
    fc_before = ucf.cls_head.fc_cls.weight.clone()
    load_checkpoint(ucf, path, strict=False)
    assert torch.equal(ucf.backbone.conv1.conv.weight,
                       k400.backbone.conv1.conv.weight)
    assert torch.equal(ucf.cls_head.fc_cls.weight, fc_before)

    # distiller: `student_ckpt` = the K400 checkpoint without its classifier
    ckpt = torch.load(path)
    for key in ('cls_head.fc_cls.weight', 'cls_head.fc_cls.bias'):
        ckpt['state_dict'].pop(key)
    nohead = str(tmp_path / 'k400_nohead.pth')
    torch.save(ckpt, nohead)
    _, model = build_distiller(KD_UCF, teacher_ckpts, student_ckpt=nohead)
    assert torch.equal(model.student.backbone.conv1.conv.weight,
                       k400.backbone.conv1.conv.weight)
    assert model.student.backbone.is_init  # init_weights keeps it
    assert not model.student.cls_head.is_init


# ----------------------------------------------------------------------
# tools/train.py on the UCF101 baseline
# ----------------------------------------------------------------------
@pytest.mark.slow
def test_train_tool_runs_the_ucf101_baseline(tmp_path):
    root = str(tmp_path / 'ucf101')
    info = generate_dataset(root, layout='ucf101', num_classes=10,
                            videos_per_class=2, num_frames=16, size=64,
                            seed=0, clips_per_group=1, val_ratio=0.3)
    work = str(tmp_path / 'work')
    options = [f'data_root={root}', 'model.backbone.pretrained=None',
               'model.backbone.pretrained2d=False',
               f'model.cls_head.num_classes={info["num_classes"]}',
               'train_cfg.max_epochs=1',
               # two iterations of one clip, validation on two clips
               'train_dataloader.dataset.indices=2',
               'val_dataloader.dataset.indices=2']
    for split in ('train', 'val', 'test'):
        options += [f'{split}_dataloader.batch_size=1',
                    f'{split}_dataloader.num_workers=0',
                    f'{split}_dataloader.persistent_workers=False']
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', R50_UCF, '--work-dir', work,
         '--cfg-options', *options],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    assert 'Epoch(train)' in log and 'Epoch(val)' in log
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
    scalars = glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json'))
    records = [json.loads(line) for line in open(scalars[0])]
    accuracy = [r['acc/top1'] for r in records if 'acc/top1' in r]
    assert accuracy and 0.0 <= accuracy[-1] <= 1.0
    # the dataset was re-rooted to the generated set, 2 iterations
    assert max(r.get('iter', 0) for r in records if 'loss' in r) == 2


@pytest.mark.slow
def test_train_tool_runs_structkd_on_ucf101(tmp_path):
    """The two-optimizer StructKD distiller through the Runner: both optim
    wrappers with their schedulers, the export and teacher-val hooks."""
    root = str(tmp_path / 'ucf101')
    info = generate_dataset(root, layout='ucf101', num_classes=10,
                            videos_per_class=2, num_frames=16, size=64,
                            seed=0, clips_per_group=1, val_ratio=0.3)
    k = info['num_classes']
    teacher_cfg = offline(load(HO_UCF).model.teacher)
    teacher_cfg.cls_head.num_classes = k
    with DefaultScope.overwrite_default_scope('mmkd_video'):
        teacher = MODELS.build(teacher_cfg)
    teacher_ckpt = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict()}, teacher_ckpt)
    work = str(tmp_path / 'work')
    options = [f'data_root={root}', f'model.teacher_ckpt={teacher_ckpt}',
               'model.student.backbone.pretrained=None',
               'model.student.backbone.pretrained2d=False',
               f'model.student.cls_head.num_classes={k}',
               f'model.teacher.cls_head.num_classes={k}',
               f'model.distill_losses.ho.discriminator.in_channels={k}',
               'train_cfg.max_epochs=1',
               'train_dataloader.dataset.indices=2',
               'val_dataloader.dataset.indices=2']
    for split in ('train', 'val', 'test'):
        options += [f'{split}_dataloader.batch_size=1',
                    f'{split}_dataloader.num_workers=0',
                    f'{split}_dataloader.persistent_workers=False']
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', HO_UCF, '--work-dir', work,
         '--cfg-options', *options],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-4000:]
    for term in ('loss_cls', 'loss_pi', 'loss_pa', 'loss_adv_g',
                 'loss_adv_d', 'loss_gp', 'acc/top1'):
        assert term in log, term
    assert 'teacher: acc/top1:' in log
    assert osp.isfile(osp.join(work, 'student_latest.pth'))
