# StructKD Pi + Pa + holistic for TSM-R50 -> TSM-MobileNetV2 on
# Kinetics-400: a WGAN-GP critic (2D: spectral-norm convs, self-attention)
# scores the per segment-frame class maps [N * 8, 400, 7, 7] of the student
# (generator) and teacher. It has its own optimizer (official: SGD lr 4e-4,
# momentum 0.9, poly) and steps once after every student step.
_base_ = ('./structkd-pi-pa_tsm-r50-to-mobilenetv2_8xb16-1x1x8-100e_'
          'kinetics400-rgb.py')

model = dict(
    # the critic step scores the student map of this iteration's forward,
    # not one recomputed after the student's update (official)
    derived=dict(s_map=dict(once_per_iter=True)),
    distill_losses=dict(
        ho=dict(type='HolisticDistillLoss', loss_weight=0.1, gp_weight=10.0,
                discriminator=dict(type='StructKDDiscriminator',
                                   in_channels=400, input_size=(7, 7)),
                inputs=dict(preds_S='s_map', preds_T='t_map'))),
    train_steps=[
        dict(optim_wrapper='student', losses=['pi', 'pa', 'ho'],
             task_loss=True),  # ho.forward: the generator term loss_adv_g
        dict(optim_wrapper='discriminator',
             losses=dict(ho='discriminator_loss')),  # loss_adv_d, loss_gp
    ])
optim_wrapper = dict(
    _delete_=True,
    constructor='DistillerOptimWrapperConstructor',
    # the single-optimizer methods' wrapper (SGD, TSM's fc_lr5 policy on the
    # student) for everything under `student`
    student={{_base_.optim_wrapper}},
    discriminator=dict(type='DataParallelOptimWrapper',
                       modules=['distill_losses.ho.discriminator'],
                       # WGAN-GP paper's Adam: the official SGD lr 4e-4
                       # does not move the critic on video-sized maps
                       # (README, StructKD)
                       optimizer=dict(type='Adam', lr=1e-4, betas=(0., 0.9))))
# the student keeps its baseline's steps (mmaction2: x0.1 at 40 and 80)
max_epochs = 100
param_scheduler = dict(
    _delete_=True,
    student=[
        dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
             milestones=[40, 80], gamma=0.1)
    ],
    discriminator=[
        dict(type='PolyLR', power=0.9, eta_min=0, by_epoch=True, begin=0,
             end=max_epochs, convert_to_iter_based=True)
    ])
