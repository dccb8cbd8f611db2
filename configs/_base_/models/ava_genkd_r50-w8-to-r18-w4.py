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
# The wiring is ../methods/genkd_phase2.py's with the RoI head's shared head
# where a recognizer has its neck, on ./ava_distiller_r50-w8-to-r18-w4.py's
# pair (which documents the teacher forward on the student's RoIs).
_base_ = ['../methods/genkd_phase2.py']
__roi = 'roi_head.shared_head.'
model = dict(
    student='{{ fileDirname }}/ava_fastrcnn_slowonly-r18-w4_genkd.py',
    teacher='{{ fileDirname }}/ava_fastrcnn_slowonly-r50-w8_genkd.py',
    teacher_ckpt='work_dirs/ava_synthetic/teacher/student_latest.pth',
    teacher_forward=dict(type='RoITeacherForward', rois='student.rois'),
    student_recorders=dict(
        # [N_roi, 5]: batch index, x1, y1, x2, y2 (input pixels)
        rois=dict(module='roi_head.bbox_roi_extractor', source='input',
                  index=1),
        feat=dict(module=__roi + 'feature_tap'),
        att=dict(module=__roi + 'attention_tap')),
    teacher_recorders=dict(att=dict(module=__roi + 'attention_tap')),
    derived=dict(
        s_cvae=dict(module='student.' + __roi + 'head'),
        t_cvae_on_s=dict(module='teacher.' + __roi + 'head'),
        s_prior=dict(module='student.' + __roi + 'head')),
    # a 2-epoch warm-up: the official 20 of 200 epochs, over 20
    distill_losses=dict(rec=dict(schedule=dict(warmup=2))))
# One optimizer per step, the synthetic set's (AdamW as
# ../schedules/demo_adamw_cosine_20e.py; configs on AVA v2.2 give SGD):
optim_wrapper = dict(
    cvae=dict(modules=['student.roi_head.shared_head.head.cvae'],
              optimizer=dict(lr=1e-3)),
    network=dict(
        modules=['student.backbone', 'student.roi_head.shared_head.proj',
                 'student.roi_head.shared_head.head.attention_branch',
                 'student.roi_head.bbox_head'],
        optimizer=dict(_delete_=True, type='AdamW', lr=2e-3,
                       weight_decay=1e-4),
        clip_grad=dict(max_norm=40, norm_type=2)))
