# StructKD pixel-wise distillation for TSM-R50 -> TSM-MobileNetV2 on
# Kinetics-400: KL over the 400 classes at every position of the class maps
# that each model's own classifier gives on its last feature.
#
# TSM is a 2D network with the 8 segments folded into the batch, and
# TSMHead's fc_cls (nn.Linear) scores every segment before the consensus, so
# the maps are per segment-frame, 2D, at 224 x 224:
#   student backbone [N * 8, 1280, 7, 7] x student.cls_head.fc_cls
#       (Linear(1280, 400)) -> s_map [N * 8, 400, 7, 7]
#   teacher backbone [N * 8, 2048, 7, 7] x teacher.cls_head.fc_cls
#       (Linear(2048, 400)) -> t_map [N * 8, 400, 7, 7]
# The position mean of a map is that segment's logit (dropout aside), and
# the segment mean is TSMHead's clip logit, so Pi is logit KD resolved per
# frame and position. Weight 80 = official lambda_pi 10 x batch 8, tau 1.
# Pair, data, schedule, optimizer and hooks: the KD config below.
_base_ = ('../baselines/'
          'kd_tsm-r50-to-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb.py')

model = dict(
    student_recorders=dict(_delete_=True,
                           feat=dict(module='backbone')),  # [N*8,1280,7,7]
    teacher_recorders=dict(_delete_=True,
                           feat=dict(module='backbone')),  # [N*8,2048,7,7]
    distill_modules=dict(class_map=dict(type='ClassScoreMap')),
    derived=dict(
        s_map=dict(module='class_map', inputs=dict(feature='student.feat'),
                   module_inputs=dict(linear='student.cls_head.fc_cls')),
        t_map=dict(module='class_map', inputs=dict(feature='teacher.feat'),
                   module_inputs=dict(linear='teacher.cls_head.fc_cls'))),
    distill_losses=dict(
        _delete_=True,
        # 80 = official lambda_pi 10 x official batch 8: the official loss
        # sums over the batch (N x this per-position mean)
        pi=dict(type='PixelWiseDistillLoss', tau=1.0, loss_weight=80.0,
                inputs=dict(preds_S='s_map', preds_T='t_map'))))
