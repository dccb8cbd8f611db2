# GenKD on RoI features (generative + attention distillation) for action
# detection. The student carries GenKD's attention as its RoI head's shared
# head (GenKDRoIAttention): its RoI feature is projected to the teacher's 256
# channels, F_s [N_roi, 256, 4, 8, 8], weighted by its attention
# A_s [N_roi, 256, 4], and the weighted feature feeds BBoxHeadAVA. The
# teacher runs on the student's RoIs, so A_t is per the same boxes.
# Two optimizers alternate every iteration, as recognition's phase 2:
#   1. student CVAE (network frozen): CVAE loss + generative distillation
#      MSE(CVAE_s(F_s, A_s), CVAE_t(F_s, A_s)) with the teacher's frozen CVAE;
#   2. student network (CVAE frozen): task loss + reconstruction
#      MSE(Dec_s(A_s + eps, A_s), F_s) on a 2-epoch warm-up + attention
#      distillation MSE(A_s, A_t).
# Weights are recognition's (configs/genkd/genkd-phase2_r3d18*).
_base_ = ['./ava_distiller_r50-w8-to-r18-w4.py']
model = dict(
    student='{{ fileDirname }}/ava_fastrcnn_slowonly-r18-w4_genkd.py',
    student_recorders=dict(
        feat=dict(module='roi_head.shared_head.feature_tap'),
        att=dict(module='roi_head.shared_head.attention_tap')),
    teacher_recorders=dict(
        att=dict(module='roi_head.shared_head.attention_tap')),
    derived=dict(
        s_cvae=dict(module='student.roi_head.shared_head.head',
                    inputs=dict(feat='student.feat', att='student.att')),
        t_cvae_on_s=dict(module='teacher.roi_head.shared_head.head',
                         inputs=dict(feat='student.feat', att='student.att')),
        s_prior=dict(module='student.roi_head.shared_head.head',
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
        rec=dict(type='FeatureReconstructionLoss', loss_weight=0.5,
                 schedule=dict(warmup=2, by_epoch=True, one_based=True),
                 inputs=dict(recon='s_prior', target='student.feat')),
        ad=dict(type='AttentionDistillLoss', loss_weight=0.1,
                inputs=dict(att_S='student.att', att_T='teacher.att'))),
    train_steps=[
        dict(optim_wrapper='cvae', losses=['cvae', 'gd']),
        dict(optim_wrapper='network', losses=['rec', 'ad'], task_loss=True),
    ])
# One optimizer per step, the synthetic set's (AdamW as
# ../schedules/demo_adamw_cosine_20e.py; configs on AVA v2.2 give SGD):
optim_wrapper = dict(
    constructor='DistillerOptimWrapperConstructor',
    cvae=dict(modules=['student.roi_head.shared_head.head.cvae'],
              optimizer=dict(type='Adam', lr=1e-3, betas=(0.8, 0.999))),
    network=dict(
        modules=['student.backbone', 'student.roi_head.shared_head.proj',
                 'student.roi_head.shared_head.head.attention_branch',
                 'student.roi_head.bbox_head'],
        optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4),
        clip_grad=dict(max_norm=40, norm_type=2)))
custom_hooks = [dict(type='StudentExportHook'), dict(type='TeacherValHook')]
