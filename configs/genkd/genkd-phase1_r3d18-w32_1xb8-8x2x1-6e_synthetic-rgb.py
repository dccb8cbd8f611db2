# GenKD phase 1, Feature Representation, on the demo teacher (the method's
# wiring: ../_base_/methods/genkd_phase1.py). Output for phase 2:
# student_latest.pth in the work dir (teacher + neck).
_base_ = [
    '../_base_/methods/genkd_phase1.py', '../_base_/datasets/demo_video.py',
    '../_base_/schedules/demo_cosine_20e.py', '../_base_/default_runtime.py'
]
max_epochs = 6
train_cfg = dict(max_epochs=max_epochs)
model = dict(
    # F [N, 256, 4, 2, 2], A [N, 256, 4]
    student='{{ fileDirname }}/../_base_/models/demo_teacher_r3d18_genkd.py',
    student_ckpt='work_dirs/demo/teacher.pth',  # the trained teacher
    frozen_modules=['student.backbone'])
optim_wrapper = dict(
    # official CVAE optimizer: Adam(lr=1e-4, betas=(0.8, 0.999)); the demo
    # has ~100 iterations, so 1e-3
    cvae=dict(optimizer=dict(lr=1e-3)),
    network=dict(
        optimizer=dict(_delete_=True, type='AdamW', lr=1e-3,
                       weight_decay=1e-4),
        clip_grad=dict(max_norm=40, norm_type=2)))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0,
         by_epoch=True, begin=0, end=max_epochs)
]
