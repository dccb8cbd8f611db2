# StructKD Pi + pair-wise for TSM-R50 -> TSM-MobileNetV2 on Kinetics-400:
# the affinity graph between max-pooled nodes of the last feature, per
# segment-frame (2D): [N * 8, 1280, 7, 7] vs [N * 8, 2048, 7, 7], pool scale
# 0.5 -> kernel ceil(3.5) = 4 (ceil mode) -> 2 x 2 = 4 nodes per frame, a
# 4 x 4 graph for both (channel counts may differ). Weight 0.5 = the official
# run script.
_base_ = ('./structkd-pi_tsm-r50-to-mobilenetv2_8xb16-1x1x8-100e_'
          'kinetics400-rgb.py')

model = dict(
    distill_losses=dict(
        pa=dict(type='PairWiseDistillLoss', pool_scale=0.5, loss_weight=0.5,
                inputs=dict(feat_S='student.feat', feat_T='teacher.feat'))))
