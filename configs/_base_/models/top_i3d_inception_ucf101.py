# GenKD's student, Top-I3D, for UCF101: the I3D of ./i3d_inception_ucf101.py
# with 2D lower layers. Its stem (1x7x7 and 1x3x3 convs) and Mixed_3b to
# Mixed_4c use temporal kernel 1 (their pool branch 1x3x3), Mixed_4d to
# Mixed_5c stay 3D. Channels and strides are I3D's, so the feature is also
# Mixed_5c [N, 1024, 8, 7, 7] for 64 x 224 x 224 clips: it can be compared
# with the teacher's channel by channel, without a connector.
# 10.43 M backbone parameters against I3D's 12.29 M. GenKD trains it from
# scratch (no init_cfg: PyTorch's default init, as the official code).
_base_ = './i3d_inception_ucf101.py'
model = dict(backbone=dict(type='TopI3D'))
