# Logit KD (Hinton et al.) TSM-R50 -> TSM-MobileNetV2 on UCF101 split 1.
# Data, schedule (25 epochs, lr 0.002, steps at 10 and 20) and runtime are
# the student baseline's, ./tsm-mobilenetv2_8xb16-1x1x8-25e_ucf101-split1-
# rgb.py, and so is the student (its `model`, 101 classes).
#
# The other UCF101 methods (fitnet_, at_, ../structkd/structkd-pi-pa-ho_
# tsm-*) inherit this pair and replace the recorders and losses.
#
# Teacher checkpoint: the TSM-R50 UCF101 baseline,
#   python tools/train.py \
#       configs/baselines/tsm-r50_8xb16-1x1x8-25e_ucf101-split1-rgb.py \
#       --cfg-options load_from=<K400 TSM-R50 checkpoint, see that config>
# whose last checkpoint is `teacher_ckpt` below (or point it to the best one:
# `--cfg-options model.teacher_ckpt=...`). mmaction2 0.x's model zoo had one
# too (tsm_k400_pretrained_r50_1x1x8_25e_ucf101_rgb_20210630-1fae312b.pth,
# 94.50), with the same model but mmaction2 0.x key names.
#
# Student initialisation. The student baseline's recipe starts from the K400
# TSM-MobileNetV2 checkpoint (its `load_from`); to give the distilled student
# the same start, drop the 400-way classifier from that checkpoint and pass
# it as `student_ckpt` (loaded non-strictly: the 101-way fc_cls keeps its
# init, the backbone is not overwritten by the ImageNet weights):
#   python -c "import torch; c = torch.load('K400.pth', map_location='cpu');
#     [c['state_dict'].pop(k) for k in ('cls_head.fc_cls.weight',
#     'cls_head.fc_cls.bias')]; torch.save(c, 'k400_nohead.pth')"
#   --cfg-options model.student_ckpt=k400_nohead.pth
# Offline without it: `model.student.backbone.pretrained=None
# model.student.backbone.pretrained2d=False`.
_base_ = './tsm-mobilenetv2_8xb16-1x1x8-25e_ucf101-split1-rgb.py'

model = dict(
    _delete_=True,
    type='VideoDistiller',
    # the student baseline's Recognizer2D: MobileNetV2TSM, 8 segments,
    # TSMHead 1280 -> 101
    student={{_base_.model}},
    # mmaction2's _base_/models/tsm_r50.py with 101 classes; all weights
    # from teacher_ckpt (no ImageNet weights: pretrained=None,
    # pretrained2d=False)
    teacher=dict(
        type='Recognizer2D',
        backbone=dict(
            type='ResNetTSM',
            pretrained=None,
            pretrained2d=False,
            depth=50,
            norm_eval=False,
            shift_div=8),
        cls_head=dict(
            type='TSMHead',
            num_classes=101,
            in_channels=2048,
            spatial_type='avg',
            consensus=dict(type='AvgConsensus', dim=1),
            dropout_ratio=0.5,
            init_std=0.001,
            is_shift=True,
            average_clips='prob'),
        data_preprocessor=dict(
            type='ActionDataPreprocessor',
            mean=[123.675, 116.28, 103.53],
            std=[58.395, 57.12, 57.375]),
        train_cfg=None,
        test_cfg=None),
    teacher_ckpt='work_dirs/tsm-r50_8xb16-1x1x8-25e_ucf101-split1-rgb/'
    'epoch_25.pth',
    # TSMHead's output is the clip logit [N, 101] (per-segment fc_cls scores
    # [N * 8, 101] averaged over the 8 segments).
    student_recorders=dict(logits=dict(module='cls_head')),  # [N, 101]
    teacher_recorders=dict(logits=dict(module='cls_head')),  # [N, 101]
    distill_losses=dict(
        # tau = 4: a K400-initialised TSM-R50 fits UCF101's train split
        # almost perfectly, so its tau = 1 targets are nearly one-hot; the
        # temperature exposes the class similarities (the tau^2 factor keeps
        # the gradient scale). Weight 1 next to the task loss.
        kd=dict(type='KDLoss', tau=4.0, loss_weight=1.0,
                inputs=dict(preds_S='student.logits',
                            preds_T='teacher.logits'))))

# TSM's fc_lr5 policy restricted to the student (see the K400 KD config:
# mmaction2's TSMOptimWrapperConstructor would pick the wrong classifier
# inside a distiller); lr and decay of the student baseline.
optim_wrapper = dict(
    type='DataParallelOptimWrapper',
    _delete_=True,
    optimizer=dict(type='SGD', lr=0.002, momentum=0.9, weight_decay=0.00002),
    clip_grad=dict(max_norm=20, norm_type=2),
    paramwise_cfg=dict(
        bias_lr_mult=2.0,
        bias_decay_mult=0.0,
        norm_decay_mult=0.0,
        custom_keys={
            'student.cls_head.fc_cls.weight': dict(lr_mult=5.0),
            'student.cls_head.fc_cls.bias': dict(lr_mult=10.0,
                                                 decay_mult=0.0)
        }))

custom_hooks = [dict(type='StudentExportHook'), dict(type='TeacherValHook')]
