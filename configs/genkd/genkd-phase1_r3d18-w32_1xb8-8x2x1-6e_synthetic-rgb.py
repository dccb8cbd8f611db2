# GenKD phase 1, Feature Representation (not in the official release).
# The trained teacher, backbone frozen, learns its attention neck through its
# classification loss on F ⊙ A (rescaled) and its CVAE through the CVAE loss
# on its own feature; two optimizers alternate every iteration.
# Output for phase 2: student_latest.pth in the work dir (teacher + neck).
_base_ = [
    '../_base_/datasets/demo_video.py',
    '../_base_/schedules/demo_adamw_cosine_20e.py', '../_base_/default_runtime.py'
]
max_epochs = 6
train_cfg = dict(max_epochs=max_epochs)
model = dict(
    type='VideoDistiller',
    student='{{ fileDirname }}/../_base_/models/demo_teacher_r3d18_genkd.py',
    student_ckpt='work_dirs/demo/teacher.pth',  # the trained teacher
    frozen_modules=['student.backbone'],
    student_recorders=dict(
        feat=dict(module='neck.feature_tap'),  # F [N, 256, 4, 2, 2]
        att=dict(module='neck.attention_tap')),  # A [N, 256, 4]
    derived=dict(
        cvae=dict(module='student.neck.head',
                  inputs=dict(feat='student.feat', att='student.att'))),
    distill_losses=dict(
        cvae=dict(type='CVAELoss', kl_weight=0.1,
                  inputs=dict(recon='cvae.recon', target='student.feat',
                              mu='cvae.mu', logvar='cvae.logvar',
                              prior_mean='cvae.prior_mean'))),
    train_steps=[
        dict(optim_wrapper='cvae', losses=['cvae']),
        dict(optim_wrapper='network', losses=[], task_loss=True),
    ])
optim_wrapper = dict(
    _delete_=True,
    constructor='DistillerOptimWrapperConstructor',
    # official CVAE optimizer: Adam(lr=1e-4, betas=(0.8, 0.999)); the demo
    # has ~100 iterations, so 1e-3
    cvae=dict(modules=['student.neck.head.cvae'],
              optimizer=dict(type='Adam', lr=1e-3, betas=(0.8, 0.999))),
    network=dict(
        modules=['student.neck.head.attention_branch', 'student.cls_head'],
        optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4),
        clip_grad=dict(max_norm=40, norm_type=2)))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0,
         by_epoch=True, begin=0, end=max_epochs)
]
custom_hooks = [dict(type='StudentExportHook')]
