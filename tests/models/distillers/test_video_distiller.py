"""VideoDistiller on real (tiny) mmaction2 recognizers and random clips."""
import copy

import pytest
import torch
from grad_recording import record_backward_grads
from mmaction.structures import ActionDataSample
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper

import mmkd_video  # noqa: F401
from mmkd_video.engine import DistillerOptimWrapperConstructor
from mmkd_video.registry import MODELS


def recognizer(base_channels, num_classes=4, dropout=0.5):
    return dict(
        type='Recognizer3D',
        backbone=dict(type='ResNet3d', depth=18, pretrained=None,
                      pretrained2d=False, base_channels=base_channels,
                      conv1_kernel=(1, 7, 7), inflate=(0, 0, 1, 1)),
        cls_head=dict(type='I3DHead', num_classes=num_classes,
                      in_channels=base_channels * 8, dropout_ratio=dropout,
                      average_clips='prob'),
        data_preprocessor=dict(type='ActionDataPreprocessor',
                               mean=[128., 128., 128.], std=[64., 64., 64.],
                               format_shape='NCTHW'))


@pytest.fixture
def teacher_ckpt(tmp_path):
    torch.manual_seed(0)
    teacher = MODELS.build(recognizer(8))
    path = tmp_path / 'teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict(), meta=dict()), path)
    return str(path)


def batch(n=2, num_classes=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    inputs = [torch.randint(0, 255, (1, 3, 4, 32, 32), generator=g,
                            dtype=torch.uint8) for _ in range(n)]
    samples = [ActionDataSample().set_gt_label(i % num_classes)
               for i in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def kd_distiller(teacher_ckpt, **overrides):
    cfg = dict(
        type='VideoDistiller',
        student=recognizer(4),
        teacher=recognizer(8),
        teacher_ckpt=teacher_ckpt,
        student_recorders=dict(logits=dict(module='cls_head'),
                               feat=dict(module='backbone')),
        teacher_recorders=dict(logits=dict(module='cls_head'),
                               feat=dict(module='backbone')),
        distill_losses=dict(kd=dict(type='KDLoss', tau=2.0, loss_weight=1.0,
                                    inputs=dict(preds_S='student.logits',
                                                preds_T='teacher.logits'))))
    cfg.update(overrides)
    return MODELS.build(cfg)


def sgd(module, lr=0.1):
    return OptimWrapper(torch.optim.SGD(module.parameters(), lr=lr))


def test_teacher_frozen_eval_and_unchanged(teacher_ckpt):
    distiller = kd_distiller(teacher_ckpt)
    before = copy.deepcopy(distiller.teacher.state_dict())
    distiller.train()
    assert distiller.student.training
    assert not distiller.teacher.training
    assert all(not m.training for m in distiller.teacher.modules())
    assert not any(p.requires_grad for p in distiller.teacher.parameters())

    optim = sgd(distiller)
    for seed in range(3):
        log_vars = distiller.train_step(batch(seed=seed), optim)
    assert {'loss', 'loss_cls', 'loss_kd'} <= set(log_vars)
    assert all(p.grad is None for p in distiller.teacher.parameters())
    after = distiller.teacher.state_dict()
    for k, v in before.items():  # BN running stats included
        assert torch.equal(v, after[k]), k
    # The teacher is deterministic (dropout off) across calls.
    x = torch.randn(1, 1, 3, 4, 32, 32)
    a = distiller.teacher(x, mode='tensor', stage='head')
    b = distiller.teacher(x, mode='tensor', stage='head')
    assert torch.equal(a, b)


def test_unused_recorders_are_reported(teacher_ckpt):
    # the KD wiring reads only the logits; `feat` is recorded for nothing
    assert kd_distiller(teacher_ckpt).unused_recorders() == dict(
        student=['feat'], teacher=['feat'])
    used = kd_distiller(
        teacher_ckpt, student_recorders=dict(logits=dict(module='cls_head')),
        teacher_recorders=dict(logits=dict(module='cls_head')))
    assert used.unused_recorders() == dict(student=[], teacher=[])


def test_teacher_loaded_from_checkpoint(teacher_ckpt):
    distiller = kd_distiller(teacher_ckpt)
    saved = torch.load(teacher_ckpt, weights_only=True)['state_dict']
    for k, v in distiller.teacher.state_dict().items():
        assert torch.equal(v, saved[k]), k


def test_student_learns_and_teacher_stage_auto(teacher_ckpt):
    distiller = kd_distiller(teacher_ckpt)
    assert distiller.teacher_stage == 'head'  # logits are recorded
    before = copy.deepcopy(distiller.student.state_dict())
    distiller.train_step(batch(), sgd(distiller))
    changed = [k for k, v in distiller.student.state_dict().items()
               if not torch.equal(v, before[k])]
    assert any(k.startswith('cls_head') for k in changed)
    assert any(k.startswith('backbone') for k in changed)

    fitnet = kd_distiller(
        teacher_ckpt,
        teacher_recorders=dict(feat=dict(module='backbone.layer4')),
        distill_modules=dict(proj=dict(type='ConvNormConnector',
                                       in_channels=32, out_channels=64)),
        derived=dict(feat_s=dict(module='proj',
                                 inputs=dict(feature='student.feat'))),
        distill_losses=dict(fit=dict(type='FeatureMSELoss',
                                     inputs=dict(feat_S='feat_s',
                                                 feat_T='teacher.feat'))))
    assert fitnet.teacher_stage == 'backbone'
    log_vars = fitnet.train_step(batch(), sgd(fitnet))
    assert torch.isfinite(log_vars['loss_fit'])


def test_missing_teacher_checkpoint(tmp_path):
    missing = str(tmp_path / 'nowhere' / 'teacher.pth')
    with pytest.raises(FileNotFoundError, match='nowhere/teacher.pth'):
        kd_distiller(missing)
    with pytest.raises(ValueError, match='teacher_ckpt'):
        kd_distiller(None)


def test_unknown_recorder_path_lists_nearest(teacher_ckpt):
    with pytest.raises(AttributeError) as e:
        kd_distiller(teacher_ckpt,
                     student_recorders=dict(logits=dict(module='cls_head'),
                                            feat=dict(module='backbone.layr4')))
    assert "'backbone.layr4'" in str(e.value)
    assert 'backbone.layer4' in str(e.value)


def test_unknown_reference_and_signature(teacher_ckpt):
    with pytest.raises(KeyError, match='student.logits'):
        kd_distiller(teacher_ckpt, distill_losses=dict(kd=dict(
            type='KDLoss', inputs=dict(preds_S='student.logit',
                                       preds_T='teacher.logits'))))
    with pytest.raises(TypeError, match='missing'):
        kd_distiller(teacher_ckpt, distill_losses=dict(kd=dict(
            type='KDLoss', inputs=dict(preds_S='student.logits'))))


def test_shape_mismatch_names_shapes_and_connector(teacher_ckpt):
    distiller = kd_distiller(
        teacher_ckpt,
        distill_losses=dict(fit=dict(type='FeatureMSELoss',
                                     inputs=dict(feat_S='student.feat',
                                                 feat_T='teacher.feat'))))
    with pytest.raises(ValueError) as e:
        distiller.train_step(batch(), sgd(distiller))
    msg = str(e.value)
    assert 'student.feat (2, 32, 2, 1, 1)' in msg
    assert 'teacher.feat (2, 64, 2, 1, 1)' in msg
    assert 'Connector' in msg


def test_class_count_mismatch(tmp_path):
    teacher = MODELS.build(recognizer(8, num_classes=5))
    path = tmp_path / 't5.pth'
    torch.save(dict(state_dict=teacher.state_dict()), path)
    distiller = kd_distiller(str(path), teacher=recognizer(8, num_classes=5))
    with pytest.raises(ValueError) as e:
        distiller.train_step(batch(), sgd(distiller))
    assert '(2, 4)' in str(e.value) and '(2, 5)' in str(e.value)


def test_loss_schedule_ramps_with_epoch(teacher_ckpt):
    distiller = kd_distiller(teacher_ckpt, distill_losses=dict(kd=dict(
        type='KDLoss', loss_weight=1.0, schedule=dict(warmup=4, by_epoch=True),
        inputs=dict(preds_S='student.logits', preds_T='teacher.logits'))))
    distiller.eval()  # deterministic student (no dropout) for the ratio
    hub = MessageHub.get_current_instance()
    values = []
    for epoch in (0, 1, 2, 8):
        hub.update_info('epoch', epoch)
        values.append(distiller(**distiller.data_preprocessor(batch()),
                                mode='loss')['loss_kd'])
    hub.update_info('epoch', 0)
    assert values[0] == 0
    assert torch.allclose(values[2], 2 * values[1])
    assert torch.allclose(values[3], 4 * values[1])


def nan_batch():
    data = batch()
    data['inputs'][0] = data['inputs'][0].float() * float('nan')
    return data


def test_nonfinite_loss_raises_before_any_update(teacher_ckpt):
    distiller = kd_distiller(teacher_ckpt)
    before = copy.deepcopy(distiller.student.state_dict())
    hub = MessageHub.get_current_instance()
    hub.update_info('iter', 14)
    hub.update_info('epoch', 1)
    hub.update_info('max_iters', 30)
    hub.update_info('max_epochs', 3)
    with pytest.raises(FloatingPointError) as info:
        distiller.train_step(nan_batch(), sgd(distiller))
    message = str(info.value)
    # the iteration as the logger prints it, the step and the bad terms
    assert 'Epoch(train) [2][5/10] (iteration 15)' in message
    assert "optimizer None" in message and 'loss_kd=nan' in message
    for k, v in distiller.student.state_dict().items():
        if 'running' not in k and 'num_batches' not in k:
            assert torch.equal(v, before[k]), k


def test_nan_gradient_with_finite_loss_is_caught(teacher_ckpt):
    """A finite loss whose backward yields NaN (here a gradient hook on one
    weight) must not reach the optimizer, and the error must name the
    parameter, not the terms of the next iteration."""
    distiller = kd_distiller(teacher_ckpt)
    weight = distiller.student.cls_head.fc_cls.weight
    weight.register_hook(lambda grad: grad * float('nan'))
    before = weight.detach().clone()
    with pytest.raises(FloatingPointError) as info:
        distiller.train_step(batch(), sgd(distiller))
    assert 'gradients of 1 parameters' in str(info.value)
    assert 'student.cls_head.fc_cls.weight' in str(info.value)
    assert 'losses' not in str(info.value)  # the loss terms were finite
    assert torch.equal(weight, before)


def test_huge_finite_gradient_steps(teacher_ckpt):
    """The fast screen is an L2 norm per gradient, which overflows on
    gradients of ~1e20 that are finite; the exact recheck must let such an
    iteration step instead of raising."""
    distiller = kd_distiller(teacher_ckpt)
    weight = distiller.student.cls_head.fc_cls.weight
    weight.register_hook(lambda grad: torch.full_like(grad, 1e20))
    grads = [torch.full_like(weight, 1e20)]
    assert not torch.isfinite(torch._foreach_norm(grads)[0])  # the premise
    before = weight.detach().clone()
    distiller.train_step(batch(), sgd(distiller))
    assert torch.isfinite(weight).all() and not torch.equal(weight, before)


def test_skip_restores_buffers_and_counts(teacher_ckpt):
    skipping = kd_distiller(teacher_ckpt, nonfinite='skip')
    skipping.train()
    before = copy.deepcopy(skipping.state_dict())
    hub = MessageHub.get_current_instance()
    hub.update_info('nonfinite_skipped', 0)
    hub.update_info('nonfinite_consecutive', 0)
    skipping.train_step(nan_batch(), sgd(skipping))
    # parameters *and* BN running statistics are as before the NaN forward
    for k, v in skipping.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert hub.get_info('nonfinite_skipped') == 1
    skipping.train_step(batch(), sgd(skipping))  # a good one resets the run
    assert hub.get_info('nonfinite_consecutive') == 0
    assert hub.get_info('nonfinite_skipped') == 1


def test_skip_limits_end_the_run(teacher_ckpt):
    skipping = kd_distiller(teacher_ckpt, nonfinite='skip',
                            nonfinite_limits=dict(max_consecutive=2,
                                                  max_total=3))
    hub = MessageHub.get_current_instance()
    hub.update_info('nonfinite_skipped', 0)
    hub.update_info('nonfinite_consecutive', 0)
    optim = sgd(skipping)
    skipping.train_step(nan_batch(), optim)
    skipping.train_step(nan_batch(), optim)
    with pytest.raises(FloatingPointError, match='3 in a row'):
        skipping.train_step(nan_batch(), optim)
    hub.update_info('nonfinite_consecutive', 0)  # total limit alone
    with pytest.raises(FloatingPointError, match='4 in all'):
        skipping.train_step(nan_batch(), optim)
    with pytest.raises(ValueError, match="'raise' or 'skip'"):
        kd_distiller(teacher_ckpt, nonfinite='ignore')


def test_teacher_checkpoint_of_another_architecture(teacher_ckpt, tmp_path):
    torch.manual_seed(0)
    wider = MODELS.build(recognizer(16))
    path = str(tmp_path / 'wider.pth')
    torch.save(dict(state_dict=wider.state_dict()), path)
    with pytest.raises(ValueError) as info:
        kd_distiller(path)
    message = str(info.value)
    assert path in message and 'teacher' in message
    assert 'shape mismatches' in message
    assert 'backbone.conv1.conv.weight: checkpoint (16, 3, 1, 7, 7) vs ' \
        'model (8, 3, 1, 7, 7)' in message
    assert '\n' not in message


def two_optimizer_distiller(teacher_ckpt):
    distiller = kd_distiller(
        teacher_ckpt,
        distill_modules=dict(proj=dict(type='ConvNormConnector',
                                       in_channels=32, out_channels=64)),
        derived=dict(feat_s=dict(module='proj',
                                 inputs=dict(feature='student.feat'))),
        distill_losses=dict(
            kd=dict(type='KDLoss', inputs=dict(preds_S='student.logits',
                                               preds_T='teacher.logits')),
            fit=dict(type='FeatureMSELoss',
                     inputs=dict(feat_S='feat_s', feat_T='teacher.feat'))),
        train_steps=[dict(optim_wrapper='proj', losses=['fit']),
                     dict(optim_wrapper='student', losses=['kd', 'fit'],
                          task_loss=True)])
    optim = DistillerOptimWrapperConstructor(dict(
        proj=dict(modules=['distill_modules.proj'],
                  optimizer=dict(type='SGD', lr=0.1)),
        student=dict(optimizer=dict(type='SGD', lr=0.1))))(distiller)
    return distiller, optim


def test_each_step_touches_only_its_parameters(teacher_ckpt):
    distiller, optim = two_optimizer_distiller(teacher_ckpt)
    seen = record_backward_grads(distiller, optim)
    distiller.train_step(batch(), optim)
    assert seen['proj'] and all(n.startswith('distill_modules.proj')
                                for n in seen['proj'])
    assert any(n.startswith('student.backbone') for n in seen['student'])
    assert all(n.startswith('student.') for n in seen['student'])
    # The frozen-parameter context restores requires_grad afterwards.
    assert all(p.requires_grad for p in distiller.distill_modules.parameters())
    assert not any(p.requires_grad for p in distiller.teacher.parameters())


def test_optim_constructor_rejects_orphans_and_overlaps(teacher_ckpt):
    distiller, _ = two_optimizer_distiller(teacher_ckpt)
    with pytest.raises(ValueError, match='distill_modules.proj'):
        DistillerOptimWrapperConstructor(dict(
            student=dict(optimizer=dict(type='SGD', lr=0.1))))(distiller)
    with pytest.raises(ValueError, match='exactly one optimizer'):
        DistillerOptimWrapperConstructor(dict(
            a=dict(modules=['student'], optimizer=dict(type='SGD', lr=0.1)),
            b=dict(modules=['student.backbone', 'distill_modules'],
                   optimizer=dict(type='SGD', lr=0.1))))(distiller)


def test_steps_validation(teacher_ckpt):
    with pytest.raises(ValueError, match='in no train step'):
        kd_distiller(teacher_ckpt, train_steps=[
            dict(optim_wrapper='student', losses=[], task_loss=True)])
    with pytest.raises(ValueError, match='task_loss=True'):
        kd_distiller(teacher_ckpt, train_steps=[
            dict(optim_wrapper='student', losses=['kd'])])


def test_runner_init_weights_keeps_loaded_teacher(teacher_ckpt):
    # The Runner calls model.init_weights() when training starts; a teacher
    # loaded at construction must survive it while the student initialises.
    distiller = kd_distiller(teacher_ckpt)
    saved = torch.load(teacher_ckpt, weights_only=True)['state_dict']
    distiller.init_weights()
    for k, v in distiller.teacher.state_dict().items():
        assert torch.equal(v, saved[k]), k


def test_student_ckpt_loads_non_strictly(teacher_ckpt, tmp_path):
    student = MODELS.build(recognizer(4))
    path = tmp_path / 'student.pth'
    state = {k: v for k, v in student.state_dict().items()
             if not k.startswith('cls_head')}  # the head is "new"
    torch.save(dict(state_dict=state), path)
    distiller = kd_distiller(teacher_ckpt, student_ckpt=str(path))
    distiller.init_weights()
    loaded = distiller.student.state_dict()
    for k, v in state.items():
        assert torch.equal(loaded[k], v), k
    assert distiller.student.backbone.is_init
    assert 'cls_head.fc_cls.weight' in loaded
