# mmaction2's SlowOnly-R50 (8x8x1; same layout as mmaction2's
# _base_/models/slowonly_r50.py, so its Kinetics-400 checkpoints load) with
# GenKD's attention as its neck: the GenKD teacher. Last-stage feature
# [N, 2048, 8, 7, 7]. The official head uses full (1, 7, 7) kernels, which at
# 2048 channels would be ~100 M parameters; pool_size=1 averages H x W first
# (the attention has no spatial part anyway).
_base_ = './recognizer3d.py'
model = dict(
    backbone=dict(
        type='ResNet3dSlowOnly',
        depth=50,
        pretrained=None,  # weights come from the teacher checkpoint
        lateral=False,
        conv1_kernel=(1, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(0, 0, 1, 1),
        norm_eval=False),
    neck=dict(type='GenKDAttentionNeck', in_channels=2048, num_frames=8,
              feat_size=7, head=dict(pool_size=1, temporal_upsample_len=64)),
    cls_head=dict(
        in_channels=2048,
        num_classes=400,
        dropout_ratio=0.5))
