# Demo student: the teacher's ResNet-18 layout at 1/4 of its width (base 8
# channels) with temporal kernels only in the last two stages (a 2D stem and
# early stages, like Top-I3D): 0.50 M parameters against the teacher's 8.30 M.
_base_ = './demo_teacher_r3d18.py'
model = dict(
    backbone=dict(base_channels=8, conv1_kernel=(1, 7, 7),
                  inflate=(0, 0, 1, 1)),
    cls_head=dict(in_channels=64))
