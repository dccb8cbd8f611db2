# GenKD phase 1, Feature Representation (not in the official release): the
# wiring of a VideoDistiller whose only model, the trained teacher given as
# `student` with GenKD's attention + CVAE as its neck (GenKDAttentionNeck),
# learns its attention through its classification loss on F ⊙ A (rescaled)
# and its CVAE through the CVAE loss on its own feature. Configs of a trained
# teacher freeze its backbone (`frozen_modules=['student.backbone']`).
# Modules are named by the roles every mmaction2 recognizer has (backbone,
# neck, cls_head). A config inherits this with a
# dataset, a schedule and the runtime, and names the model:
#   model = dict(student=..., student_ckpt=<the trained teacher>,
#                frozen_modules=['student.backbone'])
# Output for phase 2: student_latest.pth in the work dir (StudentExportHook:
# the teacher with its trained neck).
_base_ = ['../schedules/genkd_official_optimizers.py']
model = dict(
    type='VideoDistiller',
    student_recorders=dict(
        feat=dict(module='neck.feature_tap'),  # F [N, C, T, H, W]
        att=dict(module='neck.attention_tap')),  # A [N, C, T]
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
# Two optimizers alternate every iteration, the official ones
# (../schedules/genkd_official_optimizers.py): `cvae` on
# the CVAE, `network` on the attention branch and the classifier (the frozen
# backbone has no parameter to train).
optim_wrapper = dict(network=dict(
    modules=['student.neck.head.attention_branch', 'student.cls_head']))
custom_hooks = [dict(type='StudentExportHook')]
