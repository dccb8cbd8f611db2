"""Teacher cache (offline KD): built from the live teacher, read by index,
equal losses, and one clear error for every mismatch."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope

from mmkd_video.datasets import TeacherCacheDataset, generate_dataset
from mmkd_video.models.distillers import TeacherCache
from mmkd_video.registry import DATASETS, MODELS
from mmkd_video.teacher_cache import build_teacher_cache

NUM_CLASSES = 4


def pipeline(random=False):
    crop = [dict(type='RandomCrop', size=32),
            dict(type='Flip', flip_ratio=0.5)] if random else \
        [dict(type='CenterCrop', crop_size=32)]
    return [
        dict(type='DecordInit', io_backend='disk'),
        dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1,
             test_mode=not random),
        dict(type='DecordDecode'),
        dict(type='Resize', scale=(-1, 36)),
        *crop,
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ]


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synthetic'))
    # 4 classes x 2 clips: 4 train + 4 val clips of 16 frames, 32x32
    generate_dataset(root, num_classes=NUM_CLASSES, videos_per_class=2,
                     num_frames=16, size=32, seed=0, clips_per_group=1,
                     val_ratio=0.3)
    return root


def dataset_cfg(root, random=False, ann='ucf101_train_split_1_videos.txt'):
    return dict(type='VideoDataset', data_root=root, ann_file=ann,
                data_prefix=dict(video='videos'), pipeline=pipeline(random))


def recognizer(base_channels):
    return dict(
        type='Recognizer3D',
        backbone=dict(type='ResNet3d', depth=18, pretrained=None,
                      pretrained2d=False, base_channels=base_channels,
                      conv1_kernel=(1, 7, 7), inflate=(0, 0, 1, 1)),
        cls_head=dict(type='I3DHead', num_classes=NUM_CLASSES,
                      in_channels=base_channels * 8, dropout_ratio=0.,
                      average_clips='prob'),
        data_preprocessor=dict(type='ActionDataPreprocessor',
                               mean=[128., 128., 128.], std=[64., 64., 64.],
                               format_shape='NCTHW'))


def distiller_cfg(**overrides):
    torch.manual_seed(0)
    teacher = MODELS.build(recognizer(8))
    cfg = dict(
        type='VideoDistiller', student=recognizer(4), teacher=teacher,
        student_recorders=dict(logits=dict(module='cls_head'),
                               feat=dict(module='backbone')),
        teacher_recorders=dict(logits=dict(module='cls_head'),
                               feat=dict(module='backbone')),
        distill_modules=dict(proj=dict(type='ConvNormConnector',
                                       in_channels=32, out_channels=64)),
        derived=dict(feat_s=dict(module='proj',
                                 inputs=dict(feature='student.feat'))),
        distill_losses=dict(
            kd=dict(type='KDLoss', tau=2.0,
                    inputs=dict(preds_S='student.logits',
                                preds_T='teacher.logits')),
            fit=dict(type='FeatureMSELoss',
                     inputs=dict(feat_S='feat_s', feat_T='teacher.feat'))))
    cfg.update(overrides)
    return cfg


@pytest.fixture(scope='module')
def cache_dir(data_root, tmp_path_factory):
    path = str(tmp_path_factory.mktemp('cache'))
    # module scope: outside conftest's function-scoped default scope
    with DefaultScope.overwrite_default_scope('mmkd_video'):
        distiller = MODELS.build(distiller_cfg())
        cfg = dataset_cfg(data_root)
        build_teacher_cache(distiller, DATASETS.build(cfg), cfg['pipeline'],
                            path, batch_size=4)
    return path


def test_cache_layout(cache_dir):
    cache = TeacherCache(cache_dir)
    assert cache.num_samples == 4
    assert cache.meta['records']['logits']['shape'] == [NUM_CLASSES]
    assert cache.meta['records']['feat']['shape'] == [64, 2, 1, 1]
    assert cache.arrays['feat'].dtype.name == 'float16'
    assert osp.isfile(osp.join(cache_dir, 'feat.npy'))
    assert copy.deepcopy(cache) is cache  # a copied distiller shares it


def test_losses_with_cache_equal_live_teacher(data_root, cache_dir):
    live = MODELS.build(distiller_cfg())
    cached = MODELS.build(distiller_cfg(teacher_cache=cache_dir))
    cached.load_state_dict(live.state_dict())
    live.eval(), cached.eval()  # deterministic student (BN running stats)

    def no_teacher(*args):
        raise AssertionError('the teacher ran despite the cache')

    cached.teacher.register_forward_pre_hook(no_teacher)
    dataset = TeacherCacheDataset(dataset_cfg(data_root), cache_dir)
    batch = pseudo_collate([dataset[i] for i in (3, 0, 2)])  # any order
    assert [s.metainfo['sample_idx'] for s in batch['data_samples']] == \
        [3, 0, 2]
    data = live.data_preprocessor(copy.deepcopy(batch), False)
    live_losses = live(**data, mode='loss')
    data = cached.data_preprocessor(batch, False)
    cached_losses = cached(**data, mode='loss')
    assert set(live_losses) == set(cached_losses)
    for key in ('loss_kd', 'loss_fit', 'loss_cls'):
        assert live_losses[key] > 0
        # float16 storage: ~3 significant digits
        torch.testing.assert_close(cached_losses[key], live_losses[key],
                                   rtol=2e-3, atol=1e-5)


def test_train_step_from_cache_updates_student(data_root, cache_dir):
    from mmengine.optim import OptimWrapper
    cached = MODELS.build(distiller_cfg(teacher_cache=cache_dir))
    dataset = TeacherCacheDataset(dataset_cfg(data_root), cache_dir)
    before = copy.deepcopy(cached.student.state_dict())
    optim = OptimWrapper(torch.optim.SGD(
        [p for p in cached.parameters() if p.requires_grad], lr=0.1))
    log_vars = cached.train_step(pseudo_collate([dataset[0], dataset[3]]),
                                 optim)
    assert torch.isfinite(log_vars['loss_kd'])
    after = cached.student.state_dict()
    assert any(not torch.equal(v, after[k]) for k, v in before.items())


def test_random_pipeline_is_refused(data_root, cache_dir, tmp_path):
    distiller = MODELS.build(distiller_cfg())
    cfg = dataset_cfg(data_root, random=True)
    with pytest.raises(ValueError, match='is random'):
        build_teacher_cache(distiller, DATASETS.build(cfg), cfg['pipeline'],
                            str(tmp_path / 'c'))
    with pytest.raises(ValueError, match='pipeline'):
        TeacherCacheDataset(cfg, cache_dir)  # other pipeline config


def test_other_dataset_is_refused(data_root, cache_dir, tmp_path):
    val = dataset_cfg(data_root, ann='ucf101_val_split_1_videos.txt')
    with pytest.raises(ValueError, match='another dataset'):
        TeacherCacheDataset(val, cache_dir)  # 4 clips too, other ones
    with open(osp.join(data_root, 'ucf101_train_split_1_videos.txt')) as f:
        lines = f.readlines()
    shorter = tmp_path / 'train_3.txt'
    shorter.write_text(''.join(lines[:3]))
    with pytest.raises(ValueError, match='expected a dataset of 4 samples, '
                       'but the training dataset has 3'):
        TeacherCacheDataset(dataset_cfg(data_root, ann=str(shorter)),
                            cache_dir)


def test_recorder_or_weight_mismatch_is_refused(cache_dir):
    with pytest.raises(ValueError, match='recorders'):
        MODELS.build(distiller_cfg(
            teacher_cache=cache_dir,
            teacher_recorders=dict(logits=dict(module='cls_head'),
                                   feat=dict(module='backbone.layer3')),
        ))
    other = distiller_cfg(teacher_cache=cache_dir)
    with torch.no_grad():
        next(other['teacher'].parameters()).add_(1.)
    with pytest.raises(ValueError, match='other teacher weights'):
        MODELS.build(other)


def test_missing_cache_and_missing_index(data_root, cache_dir, tmp_path):
    with pytest.raises(FileNotFoundError, match='build_teacher_cache.py'):
        MODELS.build(distiller_cfg(teacher_cache=str(tmp_path / 'none')))
    cached = MODELS.build(distiller_cfg(teacher_cache=cache_dir))
    plain = DATASETS.build(dataset_cfg(data_root))  # not wrapped
    data = cached.data_preprocessor(pseudo_collate([plain[0]]), False)
    with pytest.raises(KeyError, match='TeacherCacheDataset'):
        cached(**data, mode='loss')
