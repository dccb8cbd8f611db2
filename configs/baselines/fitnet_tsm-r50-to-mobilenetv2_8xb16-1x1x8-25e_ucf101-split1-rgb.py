# FitNet hint for TSM-R50 -> TSM-MobileNetV2 on UCF101 split 1; wiring and
# shapes as the K400 config
# (./fitnet_tsm-r50-to-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb.py):
#   student backbone [N * 8, 1280, 7, 7] -> ConvNormConnector (dims=2, BN)
#   -> [N * 8, 2048, 7, 7] = teacher ResNetTSM layer4.
# Pair, data, schedule, optimizer and hooks: the UCF101 KD config below.
_base_ = './kd_tsm-r50-to-mobilenetv2_8xb16-1x1x8-25e_ucf101-split1-rgb.py'

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
        fitnet=dict(type='FeatureMSELoss', loss_weight=1.0,
                    inputs=dict(feat_S='feat_s', feat_T='teacher.feat'))))
