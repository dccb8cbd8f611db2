# Logit KD (Hinton et al.): task loss + tau^2 * KL(p_T || p_S) at tau = 4.
_base_ = [
    '../_base_/models/demo_distiller.py', '../_base_/datasets/demo_video.py',
    '../_base_/schedules/demo_adamw_cosine_20e.py', '../_base_/default_runtime.py'
]
model = dict(
    # `cls_head` of I3DHead returns clip logits [N, K] (not per segment).
    student_recorders=dict(logits=dict(module='cls_head')),
    teacher_recorders=dict(logits=dict(module='cls_head')),
    distill_losses=dict(
        kd=dict(type='KDLoss', tau=4.0, loss_weight=1.0,
                inputs=dict(preds_S='student.logits',
                            preds_T='teacher.logits'))))
