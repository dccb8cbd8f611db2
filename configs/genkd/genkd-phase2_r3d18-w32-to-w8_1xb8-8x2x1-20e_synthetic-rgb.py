# GenKD phase 2, Generative-based Feature Distillation, on the demo pair.
# Two optimizers alternate every iteration (the official code alternates whole
# epochs; per-iteration alternation gives both the same data order and is
# what MMEngine's loop does naturally):
#   1. student CVAE (network frozen): CVAE loss + Generative Distillation
#      MSE(CVAE_s(F_s, A_s), CVAE_t(F_s, A_s)) with the frozen teacher CVAE;
#   2. student network (CVAE frozen): task loss on F_s ⊙ A_s + reconstruction
#      MSE(Dec_s(A_s + eps, A_s), F_s) on a warm-up ramp + Attention
#      Distillation MSE(A_s, A_t).
_base_ = [
    '../_base_/datasets/demo_video.py',
    '../_base_/schedules/demo_adamw_cosine_20e.py', '../_base_/default_runtime.py'
]
model = dict(
    type='VideoDistiller',
    student='{{ fileDirname }}/../_base_/models/'
    'demo_student_r3d18_tiny_genkd.py',
    teacher='{{ fileDirname }}/../_base_/models/demo_teacher_r3d18_genkd.py',
    # phase 1's output: the teacher with its trained attention + CVAE
    teacher_ckpt='work_dirs/demo/genkd_phase1/student_latest.pth',
    student_recorders=dict(
        feat=dict(module='neck.feature_tap'),  # F_s [N, 256, 4, 2, 2]
        att=dict(module='neck.attention_tap')),  # A_s [N, 256, 4]
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
        # official 0.5 * min(epoch, 20) / 20 (epochs from 1) over 200; our 20
        # epochs keep the ramp at the same 10% of training: 2 epochs
        rec=dict(type='FeatureReconstructionLoss', loss_weight=0.5,
                 schedule=dict(warmup=2, by_epoch=True, one_based=True),
                 inputs=dict(recon='s_prior', target='student.feat')),
        ad=dict(type='AttentionDistillLoss', loss_weight=0.1,
                inputs=dict(att_S='student.att', att_T='teacher.att'))),
    train_steps=[
        dict(optim_wrapper='cvae', losses=['cvae', 'gd']),
        dict(optim_wrapper='network', losses=['rec', 'ad'], task_loss=True),
    ])
optim_wrapper = dict(
    _delete_=True,
    constructor='DistillerOptimWrapperConstructor',
    cvae=dict(modules=['student.neck.head.cvae'],
              optimizer=dict(type='Adam', lr=1e-3, betas=(0.8, 0.999))),
    network=dict(
        modules=['student.backbone', 'student.neck.proj',
                 'student.neck.head.attention_branch', 'student.cls_head'],
        # official: SGD lr 1e-3, momentum 0.9, wd 5e-4 over 200 epochs; the
        # demo schedule's AdamW (see _base_/schedules) for 20 epochs
        optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4),
        clip_grad=dict(max_norm=40, norm_type=2)))
custom_hooks = [dict(type='StudentExportHook'), dict(type='TeacherValHook')]
