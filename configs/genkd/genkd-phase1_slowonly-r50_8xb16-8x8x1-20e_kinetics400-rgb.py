# GenKD phase 1 (../_base_/methods/genkd_phase1.py) on Kinetics-400 for
# mmaction2's SlowOnly-R50 8x8x1: its backbone frozen, its attention neck
# (classification loss on F ⊙ A) and CVAE (CVAE loss) trained with two
# alternating optimizers.
# student_ckpt: mmaction2's checkpoint of
#   recognition/slowonly/slowonly_r50_8xb16-8x8x1-256e_kinetics400-rgb.py
# Output for phase 2: student_latest.pth in the work dir.
_base_ = [
    '../_base_/methods/genkd_phase1.py',
    '../_base_/datasets/kinetics400_video.py',
    '../_base_/datasets/pipelines_8x8x1.py', '../_base_/default_runtime.py'
]
max_epochs = 20
model = dict(
    student='{{ fileDirname }}/../_base_/models/slowonly_r50_genkd.py',
    student_ckpt='checkpoints/slowonly_r50_8x8x1_256e_kinetics400.pth',
    frozen_modules=['student.backbone'])
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_begin=1, val_interval=5)
optim_wrapper = dict(network=dict(clip_grad=dict(max_norm=40, norm_type=2)))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0,
         by_epoch=True, begin=0, end=max_epochs)
]
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
train_dataloader = dict(batch_size=16,
                        dataset=dict(pipeline={{_base_.train_pipeline_8x8x1}}))
val_dataloader = dict(batch_size=16, dataset=dict(pipeline={{_base_.val_pipeline_8x8x1}}))
test_dataloader = dict(dataset=dict(pipeline={{_base_.val_pipeline_8x8x1}}))
