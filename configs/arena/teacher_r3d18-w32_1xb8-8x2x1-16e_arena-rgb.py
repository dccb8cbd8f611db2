# The arena's teacher (R3D-18 w32, every stage 3D, 8.30 M parameters):
# trained once, seed 0, 16 epochs; its checkpoint serves every arm.
_base_ = [
    '../_base_/models/demo_teacher_r3d18.py',
    '../_base_/datasets/arena_video.py',
    '../_base_/schedules/arena_adamw_cosine_12e.py',
    '../_base_/default_runtime.py'
]
max_epochs = 16
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0,
         by_epoch=True, begin=0, end=max_epochs)
]
