# StructKD Pi + Pa + holistic for TSM-R50 -> TSM-MobileNetV2 on UCF101
# split 1; wiring and shapes as the K400 configs (structkd-pi_, -pi-pa_,
# -pi-pa-ho_tsm-...kinetics400-rgb.py) with 101 classes:
#   s_map = student backbone [N * 8, 1280, 7, 7] x student.cls_head.fc_cls
#           (Linear(1280, 101)) -> [N * 8, 101, 7, 7]
#   t_map = teacher backbone [N * 8, 2048, 7, 7] x teacher.cls_head.fc_cls
#           (Linear(2048, 101)) -> [N * 8, 101, 7, 7]
# Pi: per-position KL (weight 80); Pa: 2 x 2-node affinity graphs per frame
# (weight 0.5); Ho: 2D WGAN-GP critic on the maps, own Adam optimizer.
# Pair, data, schedule and hooks: the UCF101 KD config below.
_base_ = ('../baselines/'
          'kd_tsm-r50-to-mobilenetv2_8xb16-1x1x8-25e_ucf101-split1-rgb.py')

model = dict(
    student_recorders=dict(_delete_=True, feat=dict(module='backbone')),
    teacher_recorders=dict(_delete_=True, feat=dict(module='backbone')),
    distill_modules=dict(class_map=dict(type='ClassScoreMap')),
    derived=dict(
        s_map=dict(module='class_map', inputs=dict(feature='student.feat'),
                   module_inputs=dict(linear='student.cls_head.fc_cls'),
                   # the critic step scores this forward's map (official)
                   once_per_iter=True),
        t_map=dict(module='class_map', inputs=dict(feature='teacher.feat'),
                   module_inputs=dict(linear='teacher.cls_head.fc_cls'))),
    distill_losses=dict(
        _delete_=True,
        # 80 = official lambda_pi 10 x official batch 8: the official loss
        # sums over the batch (N x this per-position mean)
        pi=dict(type='PixelWiseDistillLoss', tau=1.0, loss_weight=80.0,
                inputs=dict(preds_S='s_map', preds_T='t_map')),
        pa=dict(type='PairWiseDistillLoss', pool_scale=0.5, loss_weight=0.5,
                inputs=dict(feat_S='student.feat', feat_T='teacher.feat')),
        ho=dict(type='HolisticDistillLoss', loss_weight=0.1, gp_weight=10.0,
                discriminator=dict(type='StructKDDiscriminator',
                                   in_channels=101, input_size=(7, 7)),
                inputs=dict(preds_S='s_map', preds_T='t_map'))),
    train_steps=[
        dict(optim_wrapper='student', losses=['pi', 'pa', 'ho'],
             task_loss=True),
        dict(optim_wrapper='discriminator',
             losses=dict(ho='discriminator_loss')),
    ])
optim_wrapper = dict(
    _delete_=True,
    constructor='DistillerOptimWrapperConstructor',
    student={{_base_.optim_wrapper}},  # SGD lr 0.002, fc_lr5 on the student
    discriminator=dict(type='DataParallelOptimWrapper',
                       modules=['distill_losses.ho.discriminator'],
                       # WGAN-GP paper's Adam: the official SGD lr 4e-4
                       # does not move the critic on video-sized maps
                       # (README, StructKD)
                       optimizer=dict(type='Adam', lr=1e-4, betas=(0., 0.9))))
max_epochs = 25
param_scheduler = dict(
    _delete_=True,
    student=[
        dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
             milestones=[10, 20], gamma=0.1)
    ],
    discriminator=[
        dict(type='PolyLR', power=0.9, eta_min=0, by_epoch=True, begin=0,
             end=max_epochs, convert_to_iter_based=True)
    ])
