# The demo student with GenKD's attention as its neck. Its 64-channel last
# stage is projected to the teacher's 256 channels (1x1x1 conv + BN + ReLU)
# so its attention and the teacher's CVAE share one channel layout.
_base_ = './demo_student_r3d18_tiny.py'
model = dict(
    neck=dict(type='GenKDAttentionNeck', in_channels=64, channels=256,
              num_frames=4, feat_size=2),
    cls_head=dict(in_channels=256))
