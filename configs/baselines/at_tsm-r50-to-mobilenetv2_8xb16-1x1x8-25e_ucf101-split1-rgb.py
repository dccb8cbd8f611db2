# Attention transfer TSM-R50 -> TSM-MobileNetV2 on UCF101 split 1, on the
# last stage; shapes as the K400 config
# (./at_tsm-r50-to-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb.py):
#   student [N * 8, 1280, 7, 7], teacher [N * 8, 2048, 7, 7] -> maps
#   [N * 8, 49] each.
# Pair, data, schedule, optimizer and hooks: the UCF101 KD config below.
_base_ = './kd_tsm-r50-to-mobilenetv2_8xb16-1x1x8-25e_ucf101-split1-rgb.py'

model = dict(
    student_recorders=dict(_delete_=True, feat=dict(module='backbone')),
    teacher_recorders=dict(_delete_=True, feat=dict(module='backbone')),
    distill_losses=dict(
        _delete_=True,
        at=dict(type='ATLoss', p=2, loss_weight=500.0,
                inputs=dict(feat_S='student.feat', feat_T='teacher.feat'))))
