# StructKD Pi + Pa + holistic: a WGAN-GP critic (spectral-norm convs,
# self-attention) scores the class maps [N, 10, 4, 2, 2]; the student is the
# generator. The critic has its own optimizer and steps once after every
# student step, on the student map of the same forward.
# Critic optimizer: Adam lr 1e-4, betas (0, 0.9), the WGAN-GP paper's. The
# official SGD lr 4e-4 (momentum 0.9, wd 5e-4, for 64x64 maps) leaves a
# critic on maps this small at loss_gp = 1.000 (no gradient) for all 560
# steps of a demo run; Adam's per-parameter step size lifts it within 100
# steps (tests/models/losses/test_holistic_critic_learns.py).
_base_ = ['./structkd-pi-pa_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py']
model = dict(
    # the critic step scores the student map of this iteration's forward,
    # not one recomputed after the student's update (official)
    derived=dict(s_map=dict(once_per_iter=True)),
    distill_losses=dict(
        ho=dict(type='HolisticDistillLoss', loss_weight=0.1, gp_weight=10.0,
                discriminator=dict(type='StructKDDiscriminator',
                                   in_channels=10, input_size=(4, 2, 2),
                                   base_channels=16),
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
    student=dict(
        type='DataParallelOptimWrapper',
        optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4),
        clip_grad=dict(max_norm=40, norm_type=2)),
    discriminator=dict(type='DataParallelOptimWrapper',
                       modules=['distill_losses.ho.discriminator'],
                       optimizer=dict(type='Adam', lr=1e-4, betas=(0., 0.9))))
param_scheduler = dict(
    _delete_=True,
    student=[
        dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0,
             end=1, convert_to_iter_based=True),
        dict(type='CosineAnnealingLR', T_max=20, eta_min=0, by_epoch=True,
             begin=0, end=20)
    ],
    discriminator=[
        dict(type='PolyLR', power=0.9, eta_min=0, by_epoch=True, begin=0,
             end=20, convert_to_iter_based=True)
    ])
