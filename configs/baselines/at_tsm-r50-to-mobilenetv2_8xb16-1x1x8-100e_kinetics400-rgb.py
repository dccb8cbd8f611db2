# Attention transfer (Zagoruyko & Komodakis) for TSM-R50 -> TSM-MobileNetV2
# on Kinetics-400, on the last stage. Per frame (segment) spatial attention
# maps, the 8 segments folded into the batch as TSM does, at 224 x 224:
#   student MobileNetV2TSM backbone: [N * 8, 1280, 7, 7]
#   teacher ResNetTSM layer4:        [N * 8, 2048, 7, 7]
# ATLoss averages |F|^2 over channels (counts may differ), so the maps are
# [N * 8, 49] for both; batch and 7 x 7 match, no connector needed.
# Pair, data, schedule, optimizer and hooks: the KD config below.
_base_ = './kd_tsm-r50-to-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb.py'

model = dict(
    student_recorders=dict(_delete_=True, feat=dict(module='backbone')),
    teacher_recorders=dict(_delete_=True, feat=dict(module='backbone')),
    distill_losses=dict(
        _delete_=True,
        # 500 = beta / 2 with the official beta = 1000 (mean over the 49
        # positions, as the official code)
        at=dict(type='ATLoss', p=2, loss_weight=500.0,
                inputs=dict(feat_S='student.feat', feat_T='teacher.feat'))))
