# StructKD pixel-wise distillation carried to recognition: KL over classes at
# every position of the class maps [N, K, T, H, W] that each model's own
# classifier (cls_head.fc_cls) gives on its last-stage feature. Their
# position mean is the clip logit, so this is logit KD resolved in space-time.
# Weight 80 = the official lambda_pi 10 x its batch 8 (PixelWiseDistillLoss).
_base_ = [
    '../_base_/models/demo_distiller.py', '../_base_/datasets/demo_video.py',
    '../_base_/schedules/demo_adamw_cosine_20e.py', '../_base_/default_runtime.py'
]
model = dict(
    student_recorders=dict(feat=dict(module='backbone')),  # [N, 64, 4, 2, 2]
    teacher_recorders=dict(feat=dict(module='backbone')),  # [N, 256, 4, 2, 2]
    distill_modules=dict(class_map=dict(type='ClassScoreMap')),
    derived=dict(
        s_map=dict(module='class_map', inputs=dict(feature='student.feat'),
                   module_inputs=dict(linear='student.cls_head.fc_cls')),
        t_map=dict(module='class_map', inputs=dict(feature='teacher.feat'),
                   module_inputs=dict(linear='teacher.cls_head.fc_cls'))),
    distill_losses=dict(
        # 80 = official lambda_pi 10 x official batch 8: the official loss
        # sums over the batch (N x this per-position mean)
        pi=dict(type='PixelWiseDistillLoss', tau=1.0, loss_weight=80.0,
                inputs=dict(preds_S='s_map', preds_T='t_map'))))
