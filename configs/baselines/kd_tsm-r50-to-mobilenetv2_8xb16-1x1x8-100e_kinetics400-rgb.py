# Logit KD (Hinton et al.) for mmaction2's model-zoo pair TSM-R50 (73.18) ->
# TSM-MobileNetV2 (68.71) on Kinetics-400; mmaction2's own KD project reaches
# 69.60 with DIST on this pair. Data, schedule (100 epochs, SGD lr 0.02,
# auto-scaled) and runtime are the student baseline's,
# ./tsm-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb.py, and so is the
# student (its `model`, ImageNet-pretrained backbone included).
#
# The other K400 methods (fitnet_, at_, ../structkd/structkd-*_tsm-*) inherit
# this pair and replace the recorders and losses.
#
# Teacher checkpoint: mmaction2's model zoo
#   tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb_20220831-64d69186.pth
#   https://download.openmmlab.com/mmaction/v1.0/recognition/tsm/tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb/tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb_20220831-64d69186.pth
# (the teacher of mmaction2's KD project), saved to `teacher_ckpt` below, or
# your own ./tsm-r50_8xb16-1x1x8-50e_kinetics400-rgb.py run
# (`--cfg-options model.teacher_ckpt=work_dirs/.../epoch_50.pth`).
#
# Offline: `--cfg-options model.student.backbone.pretrained=None
# model.student.backbone.pretrained2d=False` (the student's ImageNet weights
# come from mmcls://mobilenet_v2 otherwise).
_base_ = './tsm-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb.py'

model = dict(
    _delete_=True,
    type='VideoDistiller',
    # the student baseline's Recognizer2D (mmaction2's _base_/models/
    # tsm_mobilenet_v2.py): MobileNetV2TSM, 8 segments, TSMHead 1280 -> 400
    student={{_base_.model}},
    # mmaction2's _base_/models/tsm_r50.py; all weights from teacher_ckpt,
    # so no ImageNet weights (pretrained=None, pretrained2d=False)
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
            num_classes=400,
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
    teacher_ckpt='checkpoints/tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_'
    'kinetics400-rgb_20220831-64d69186.pth',
    # TSMHead's output is the clip logit [N, 400]: fc_cls scores every
    # segment ([N * 8, 400]), AvgConsensus averages the 8 segments. (The
    # per-segment `cls_head.fc_cls` output is what mmaction2's KD project
    # records.)
    student_recorders=dict(logits=dict(module='cls_head')),  # [N, 400]
    teacher_recorders=dict(logits=dict(module='cls_head')),  # [N, 400]
    distill_losses=dict(
        # tau = 1 as in ImageNet-scale logit KD (and DIST's tau on this
        # pair): with 400 classes and a 73% teacher, higher temperatures
        # flatten the targets towards uniform; weight 1 next to the task
        # loss. Worth a sweep (tau 1-4, weight 0.5-2) on a new pair.
        kd=dict(type='KDLoss', tau=1.0, loss_weight=1.0,
                inputs=dict(preds_S='student.logits',
                            preds_T='teacher.logits'))))

# mmaction2's TSMOptimWrapperConstructor (fc_lr5) walks every module of the
# model and gives lr x5 / x10 to the last conv-or-linear weight and bias it
# meets; inside a distiller those are another module's (FitNet: the
# connector's conv weight and the teacher's fc bias), not the student
# classifier's. The same policy, restricted to the student, with MMEngine's
# default constructor: biases lr x2 and no decay, norms no decay, the
# student's classifier weight lr x5 and bias lr x10 (no decay); per
# parameter identical to TSMOptimWrapperConstructor on the student alone
# (tests/configs/test_tsm_configs.py). Frozen teacher parameters get no
# gradient.
optim_wrapper = dict(
    type='DataParallelOptimWrapper',
    _delete_=True,
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.00002),
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

# student_latest.pth / student_best.pth loadable by plain mmaction2 with the
# student baseline config; the teacher's val accuracy once before training
# (drop TeacherValHook to skip that pass over the val set).
custom_hooks = [dict(type='StudentExportHook'), dict(type='TeacherValHook')]
