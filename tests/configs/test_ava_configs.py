"""Every AVA config builds and runs one real train step on a detection
batch; the AVA v2.2 configs keep mmaction2's layout and full-size models."""
import glob
import os.path as osp

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.structures import InstanceData

from mmkd_video.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SYNTHETIC = sorted(glob.glob(osp.join(REPO, 'configs', 'ava',
                                      '*synthetic-ava-rgb.py')))
AVA22 = sorted(glob.glob(osp.join(REPO, 'configs', 'ava', '*ava22-rgb.py')))


def fake_checkpoint(model_cfg_path, tmp_path):
    model = MODELS.build(Config.fromfile(model_cfg_path).model)
    path = tmp_path / 'teacher.pth'
    torch.save(dict(state_dict=model.state_dict()), path)
    return str(path)


def detection_batch(num_classes, size=64):
    """What PackActionInputs gives for 2 keyframes of 4 frames."""
    g = torch.Generator().manual_seed(0)
    samples = []
    for i in range(2):
        sample = ActionDataSample()
        sample.set_metainfo(dict(img_shape=(size, size)))
        gt = torch.tensor([[4., 6., 28., 30.], [30., 20., 60., 58.]]) + i
        labels = torch.zeros(2, num_classes)
        labels[0, [1, 3]] = labels[1, num_classes - 1] = 1
        sample.gt_instances = InstanceData(bboxes=gt, labels=labels)
        sample.proposals = InstanceData(
            bboxes=gt + torch.tensor([1., -1., 2., 1.]))
        samples.append(sample)
    inputs = [torch.randint(0, 255, (3, 4, size, size), dtype=torch.uint8,
                            generator=g) for _ in samples]
    return dict(inputs=inputs, data_samples=samples)


def train_one_step(path, tmp_path):
    torch.manual_seed(0)
    cfg = Config.fromfile(path)
    if cfg.model.get('teacher') is not None:
        cfg.model.teacher_ckpt = fake_checkpoint(cfg.model.teacher, tmp_path)
    model = MODELS.build(cfg.model)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    model.train()
    student = getattr(model, 'student', model)
    before = {k: v.clone() for k, v in student.state_dict().items()}
    log_vars = model.train_step(detection_batch(cfg.num_classes), optim)
    assert 'loss_action_cls' in log_vars
    if hasattr(model, 'distill_losses'):
        expected = {f'loss_{n}' for n in model.distill_losses} - {'loss_ho'}
        assert expected <= set(log_vars), (expected, set(log_vars))
    assert all(torch.isfinite(v) for v in log_vars.values()), log_vars
    assert any(not torch.equal(v, before[k])
               for k, v in student.state_dict().items())


def test_every_method_on_both_datasets():
    def names(paths):
        return {osp.basename(p).split('_')[0] for p in paths}

    methods = {'teacher-genkd', 'student', 'kd', 'structkd-pa-pi-ho',
               'genkd', 'genkd-structkd'}
    assert names(SYNTHETIC) == methods and names(AVA22) == methods


@pytest.mark.parametrize('path', SYNTHETIC, ids=osp.basename)
def test_synthetic_config_trains_one_step(path, tmp_path):
    train_one_step(path, tmp_path)


@pytest.mark.parametrize('path', AVA22, ids=osp.basename)
def test_ava22_config_is_mmaction2_layout_at_full_size(path):
    cfg = Config.fromfile(path)
    dataset = cfg.train_dataloader.dataset
    assert dataset.ann_file == 'data/ava/annotations/ava_train_v2.2.csv'
    assert dataset.data_prefix.img == 'data/ava/rawframes'
    assert (dataset.timestamp_start, dataset.timestamp_end) == (900, 1800)
    assert cfg.val_evaluator.type == 'AVAMetric'
    assert cfg.val_evaluator.num_classes == dataset.num_classes == 81
    models = [cfg.model] if cfg.model.type == 'FastRCNN' else [
        Config.fromfile(cfg.model[k]).model for k in ('student', 'teacher')
        if k in cfg.model]
    for model in models:
        head = model.roi_head
        assert head.bbox_head.num_classes == 81
        assert model.backbone.base_channels == 64
        width = {18: 512, 50: 2048}[model.backbone.depth]
        if 'shared_head' in head:
            assert head.shared_head.in_channels == width
            width = head.shared_head.get('channels') or width
        assert head.bbox_head.in_channels == width


@pytest.mark.slow
@pytest.mark.parametrize('path', AVA22, ids=osp.basename)
def test_ava22_config_trains_one_step(path, tmp_path):
    train_one_step(path, tmp_path)
