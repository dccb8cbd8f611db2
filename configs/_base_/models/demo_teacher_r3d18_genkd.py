# The demo teacher with GenKD's attention as its neck (phase 1 trains the
# neck; phase 2 uses it frozen). Last-stage feature: [N, 256, 4, 2, 2].
_base_ = './demo_teacher_r3d18.py'
model = dict(
    neck=dict(type='GenKDAttentionNeck', in_channels=256, num_frames=4,
              feat_size=2))
