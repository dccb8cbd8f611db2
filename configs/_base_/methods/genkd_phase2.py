# GenKD phase 2, Generative-based Feature Distillation: the wiring of a
# VideoDistiller for any recognizer pair whose neck is GenKD's attention +
# CVAE (GenKDAttentionNeck), named by the roles every mmaction2 recognizer
# has (backbone, neck, cls_head). A config inherits this with a dataset,
# a schedule and the runtime, and names the pair:
#   model = dict(student=..., teacher=..., teacher_ckpt=<phase 1's output>)
# and, where they differ from the official ones below, the optimizers.
#
# Two optimizers alternate every iteration (the official code alternates
# whole epochs; per-iteration alternation gives both the same data order and
# is what MMEngine's loop does naturally):
#   1. `cvae`, the student CVAE (network frozen): CVAE loss + Generative
#      Distillation MSE(CVAE_s(F_s, A_s), CVAE_t(F_s, A_s)) with the frozen
#      teacher CVAE; official Adam lr 1e-4, betas (0.8, 0.999);
#   2. `network`, the student network (CVAE frozen): task loss on F_s ⊙ A_s
#      + reconstruction MSE(Dec_s(A_s + eps, A_s), F_s) ramped as
#      0.5 * min(epoch, 20) / 20 + Attention Distillation MSE(A_s, A_t);
#      official SGD lr 1e-3, momentum 0.9, wd 5e-4, constant.
_base_ = ['../schedules/genkd_official_optimizers.py']
model = dict(
    type='VideoDistiller',
    student_recorders=dict(
        feat=dict(module='neck.feature_tap'),  # F_s [N, C, T, H, W]
        att=dict(module='neck.attention_tap')),  # A_s [N, C, T]
    teacher_recorders=dict(att=dict(module='neck.attention_tap')),  # A_t
    derived=dict(
        s_cvae=dict(module='student.neck.head',
                    inputs=dict(feat='student.feat', att='student.att')),
        # the frozen teacher CVAE applied to the student's feature/attention
        t_cvae_on_s=dict(module='teacher.neck.head',
                         inputs=dict(feat='student.feat', att='student.att')),
        s_prior=dict(module='student.neck.head',
                     method='reconstruct_from_prior',
                     inputs=dict(att='student.att'))),
    distill_losses=dict(
        cvae=dict(type='CVAELoss', kl_weight=0.1,
                  inputs=dict(recon='s_cvae.recon', target='student.feat',
                              mu='s_cvae.mu', logvar='s_cvae.logvar',
                              prior_mean='s_cvae.prior_mean')),
        gd=dict(type='GenerativeDistillLoss', loss_weight=0.01,
                inputs=dict(recon_S='s_cvae.recon',
                            recon_T='t_cvae_on_s.recon')),
        # official 0.5 * min(epoch, 20) / 20, epochs counted from 1, over 200
        rec=dict(type='FeatureReconstructionLoss', loss_weight=0.5,
                 schedule=dict(warmup=20, by_epoch=True, one_based=True),
                 inputs=dict(recon='s_prior', target='student.feat')),
        ad=dict(type='AttentionDistillLoss', loss_weight=0.1,
                inputs=dict(att_S='student.att', att_T='teacher.att'))),
    train_steps=[
        dict(optim_wrapper='cvae', losses=['cvae', 'gd']),
        dict(optim_wrapper='network', losses=['rec', 'ad'], task_loss=True),
    ])
# One optimizer per step, the official ones
# (../schedules/genkd_official_optimizers.py); a student whose neck needs no
# projection (same channels as the teacher) drops 'student.neck.proj'.
optim_wrapper = dict(network=dict(
    modules=['student.backbone', 'student.neck.proj',
             'student.neck.head.attention_branch', 'student.cls_head']))
# student checkpoints loadable by plain mmaction2; the teacher's val accuracy
custom_hooks = [dict(type='StudentExportHook'), dict(type='TeacherValHook')]
