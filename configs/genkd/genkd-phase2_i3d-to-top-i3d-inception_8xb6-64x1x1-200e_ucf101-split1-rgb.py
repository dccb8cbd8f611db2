# GenKD phase 2, Generative-based Feature Distillation, at the paper's
# setting on UCF101 split 1: the I3D teacher (with phase 1's attention and
# CVAE) into a Top-I3D student trained from scratch for 200 epochs.
# Two optimizers alternate every iteration (the official code alternates
# whole epochs; per-iteration alternation gives both the same data order and
# is what MMEngine's loop does naturally):
#   1. student CVAE (network frozen), Adam lr 1e-4, betas (0.8, 0.999):
#      CVAE loss + Generative Distillation MSE(CVAE_s(F_s, A_s),
#      CVAE_t(F_s, A_s)) with the frozen teacher CVAE;
#   2. student network (CVAE frozen), SGD lr 1e-3, momentum 0.9, wd 5e-4,
#      constant: task loss on F_s ⊙ A_s + reconstruction MSE(Dec_s(A_s +
#      eps, A_s), F_s) ramped as 0.5 * min(epoch, 20) / 20 + Attention
#      Distillation MSE(A_s, A_t).
# Same wiring as the demo
# (./genkd-phase2_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py); student
# and teacher both give Mixed_5c [N, 1024, 8, 7, 7], so the student's neck
# needs no projection.
#
# Input: phase 1's output (`teacher_ckpt` below), produced by
#   python tools/train.py configs/genkd/genkd-phase1_i3d-inception_8xb6-
#       64x1x1-50e_ucf101-split1-rgb.py
# Output: student_latest.pth / student_best.pth in the work dir, a plain
# Recognizer3D (TopI3D + GenKDAttentionNeck + I3DHead).
#
# Data (64 x 1 x 1 clips, 224 crops, 8 x 6 clips per step), runtime, the
# 200-epoch loop and validation are the Top-I3D baseline's, inherited below:
# the distilled student and the baseline differ only in the distillation.
_base_ = ('../baselines/'
          'top-i3d-inception_8xb6-64x1x1-200e_ucf101-split1-rgb.py')

# GenKD's attention + CVAE on Mixed_5c: T = 64 / 8, 7 x 7 = 224 / 32; the
# official kernels span the whole 7 x 7 map (no pool_size)
genkd_neck = dict(
    type='GenKDAttentionNeck', in_channels=1024, num_frames=8, feat_size=7)

model = dict(
    _delete_=True,
    type='VideoDistiller',
    # the baseline's Recognizer3D (TopI3D + I3DHead 1024 -> 101), from
    # scratch, with the GenKD neck
    student=dict(_base_.model, neck=genkd_neck),
    # phase 1's model: the same Recognizer3D with the full I3D backbone
    teacher=dict(
        _base_.model,
        backbone=dict(_base_.model.backbone, type='InceptionI3D'),
        neck=genkd_neck),
    # phase 1's output: the teacher with its trained attention + CVAE
    teacher_ckpt='work_dirs/genkd-phase1_i3d-inception_8xb6-64x1x1-50e_'
    'ucf101-split1-rgb/student_latest.pth',
    student_recorders=dict(
        feat=dict(module='neck.feature_tap'),  # F_s [N, 1024, 8, 7, 7]
        att=dict(module='neck.attention_tap')),  # A_s [N, 1024, 8]
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

optim_wrapper = dict(
    _delete_=True,
    constructor='DistillerOptimWrapperConstructor',
    cvae=dict(type='DataParallelOptimWrapper',
              modules=['student.neck.head.cvae'],
              optimizer=dict(type='Adam', lr=1e-4, betas=(0.8, 0.999))),
    network=dict(
        type='DataParallelOptimWrapper',
        modules=['student.backbone', 'student.neck.head.attention_branch',
                 'student.cls_head'],
        optimizer=dict(type='SGD', lr=1e-3, momentum=0.9,
                       weight_decay=5e-4)))
param_scheduler = None  # constant learning rates, as the official code
custom_hooks = [dict(type='StudentExportHook'), dict(type='TeacherValHook')]
