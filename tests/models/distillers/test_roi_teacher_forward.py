"""Detection distillation: the teacher runs on the student's sampled RoIs."""
import copy
import os.path as osp

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.structures import InstanceData

from mmkd_video.models.distillers import (RoITeacherForward, VideoDistiller,
                                          build_model_from_spec)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))
MODELS_DIR = osp.join(REPO, 'configs', '_base_', 'models')
STUDENT = osp.join(MODELS_DIR, 'ava_fastrcnn_slowonly-r18-w4.py')
TEACHER = osp.join(MODELS_DIR, 'ava_fastrcnn_slowonly-r50-w8_genkd.py')
ROIS = dict(module='roi_head.bbox_roi_extractor', source='input', index=1)
ROI_FEAT = dict(module='roi_head.bbox_head', source='input')
SCORES = dict(module='roi_head.bbox_head')


def batch(size=64):
    """Two clips, each with 2 actors (multi-hot labels over 6 classes) and
    3 proposals (2 jittered actors + 1 false positive)."""
    torch.manual_seed(0)
    inputs = torch.randn(2, 3, 4, size, size)
    samples = []
    for shift in (0., 8.):
        sample = ActionDataSample()
        sample.set_metainfo(dict(img_shape=(size, size)))
        gt = torch.tensor([[4., 6., 28., 30.], [30., 20., 60., 58.]]) + shift
        gt = gt.clamp(0, size)
        labels = torch.zeros(2, 6)
        labels[0, [1, 3]] = 1
        labels[1, 4] = 1
        sample.gt_instances = InstanceData(bboxes=gt, labels=labels)
        sample.proposals = InstanceData(bboxes=torch.cat([
            gt + torch.tensor([1., -1., 2., 1.]),
            torch.tensor([[0., 40., 20., 63.]])]))
        samples.append(sample)
    return inputs, samples


def distiller(teacher, **kwargs):
    kwargs.setdefault('student_recorders',
                      dict(rois=ROIS, roi_feat=ROI_FEAT, scores=SCORES))
    kwargs.setdefault('teacher_recorders',
                      dict(rois=ROIS, roi_feat=ROI_FEAT, scores=SCORES))
    kwargs.setdefault('student', STUDENT)
    return VideoDistiller(
        teacher=teacher,
        teacher_forward=dict(type='RoITeacherForward', rois='student.rois'),
        **kwargs)


def test_teacher_sees_the_students_sampled_rois():
    teacher = build_model_from_spec(TEACHER, 'teacher')
    model = distiller(teacher)
    inputs, samples = batch()
    _, records = model.run_models(inputs, samples)
    s, t = records['student'], records['teacher']
    # the sampler adds the ground-truth boxes: 2 x (3 proposals + 2 gt),
    # not the 6 proposals a teacher forward of its own would use
    assert s['rois'].shape == (10, 5)
    assert torch.equal(t['rois'], s['rois'])
    # one teacher row per student RoI, each with the teacher's own width
    assert s['roi_feat'].shape == (10, 32, 4, 8, 8)
    assert t['roi_feat'].shape == (10, 256, 4, 8, 8)
    assert s['scores'].shape == t['scores'].shape == (10, 6)
    assert not t['scores'].requires_grad and s['scores'].requires_grad


def test_identical_teacher_gives_identical_roi_features_and_scores():
    """Row i of the teacher's records is the student's box i: a teacher
    that is a copy of the student reproduces its RoI features exactly."""
    student = build_model_from_spec(STUDENT, 'student')
    model = distiller(copy.deepcopy(student), student=student)
    model.eval()  # same BN statistics and no dropout in both
    inputs, samples = batch()
    _, records = model.run_models(inputs, samples)
    s, t = records['student'], records['teacher']
    assert torch.equal(s['rois'], t['rois'])
    assert torch.allclose(s['roi_feat'], t['roi_feat'], atol=1e-6)
    assert torch.allclose(s['scores'], t['scores'], atol=1e-5)
    # and the RoI order matters: shuffled boxes would not match
    assert not torch.allclose(s['roi_feat'], t['roi_feat'].flip(0))


def test_losses_on_aligned_rois_train_the_student():
    teacher = build_model_from_spec(TEACHER, 'teacher')
    model = distiller(teacher, distill_losses=dict(
        pi=dict(type='BinaryPixelWiseDistillLoss',
                inputs=dict(preds_S='student.scores',
                            preds_T='teacher.scores'))))
    losses = model(*batch(), mode='loss')
    assert set(losses) >= {'loss_action_cls', 'loss_pi'}
    assert torch.isfinite(losses['loss_pi']) and losses['loss_pi'] > 0
    losses['loss_pi'].backward()
    assert model.student.backbone.conv1.conv.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.teacher.parameters())


def test_bad_wiring_fails_at_construction():
    teacher = build_model_from_spec(TEACHER, 'teacher')
    with pytest.raises(ValueError, match="'student.<name>'"):
        RoITeacherForward(rois='teacher.rois')
    with pytest.raises(KeyError, match=r"unknown reference .*student.boxes"):
        VideoDistiller(
            student=STUDENT, teacher=teacher,
            student_recorders=dict(rois=ROIS),
            teacher_forward=dict(type='RoITeacherForward',
                                 rois='student.boxes'))
    with pytest.raises(ValueError, match='teacher is None'):
        VideoDistiller(
            student=STUDENT, student_recorders=dict(rois=ROIS),
            teacher_forward=dict(type='RoITeacherForward'))


def test_wrong_records_or_teacher_raise_clear_errors():
    forward = RoITeacherForward()
    teacher = build_model_from_spec(TEACHER, 'teacher')
    inputs, samples = batch()
    with pytest.raises(ValueError, match=r"source='input', index=1"):
        forward(teacher, inputs, samples, dict(rois=torch.zeros(3, 32)))
    recognizer = build_model_from_spec(
        osp.join(MODELS_DIR, 'demo_student_r3d18_tiny.py'), 'teacher')
    with pytest.raises(TypeError, match='two-stage detector'):
        forward(recognizer, inputs, samples, dict(rois=torch.zeros(3, 5)))
