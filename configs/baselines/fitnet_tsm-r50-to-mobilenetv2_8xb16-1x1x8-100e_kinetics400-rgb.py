# FitNet hint for TSM-R50 -> TSM-MobileNetV2 on Kinetics-400: MSE between a
# 1x1 conv + BN projection of the student's last feature and the teacher's.
# Backbone outputs, frames (segments) folded into the batch as TSM does, at
# 224 x 224 inputs (both stride 32):
#   student MobileNetV2TSM (its final 1x1 conv): [N * 8, 1280, 7, 7]
#   teacher ResNetTSM layer4:                    [N * 8, 2048, 7, 7]
# so the connector is a 2D one (dims=2, BN) from 1280 to 2048 channels; the
# spatial sizes match at any input size both nets divide alike.
# Pair, data, schedule, optimizer and hooks: the KD config below.
_base_ = './kd_tsm-r50-to-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb.py'

model = dict(
    student_recorders=dict(_delete_=True, feat=dict(module='backbone')),
    teacher_recorders=dict(_delete_=True, feat=dict(module='backbone')),
    distill_modules=dict(
        hint=dict(type='ConvNormConnector', in_channels=1280,
                  out_channels=2048, dims=2, norm_cfg=dict(type='BN'))),
    derived=dict(
        feat_s=dict(module='hint', inputs=dict(feature='student.feat'))),
    distill_losses=dict(
        _delete_=True,
        # mean over all N * 8 * 2048 * 7 * 7 elements; the teacher's
        # post-ReLU last stage is O(1), so weight 1 keeps the hint at the
        # scale of the task loss
        fitnet=dict(type='FeatureMSELoss', loss_weight=1.0,
                    inputs=dict(feat_S='feat_s', feat_T='teacher.feat'))))
# The connector (conv without bias + BN) is in the student's optimizer:
# MMEngine's default constructor covers every trainable parameter.
