# Logit KD for multi-label detection: per sampled RoI, the per-class
# Bernoulli KL between the teacher's and the student's sigmoid action scores
# (BBoxHeadAVA's logits [N_roi, 6] on the same boxes), weight 1, tau 1 -
# Hinton's KD with the sigmoid AVA's classes use instead of a softmax. The
# logits include mmaction2's unused class-0 column (never scored by
# AVAMetric); both models' column 0 is untrained, matching it is harmless.
_base_ = ['./ava_distiller_r50-w8-to-r18-w4.py']
model = dict(
    student_recorders=dict(scores=dict(module='roi_head.bbox_head')),
    teacher_recorders=dict(scores=dict(module='roi_head.bbox_head')),
    distill_losses=dict(
        kd=dict(type='BinaryPixelWiseDistillLoss', tau=1.0, loss_weight=1.0,
                inputs=dict(preds_S='student.scores',
                            preds_T='teacher.scores'))))
custom_hooks = [dict(type='StudentExportHook'), dict(type='TeacherValHook')]
