# The arena's student (./arena_student_r3d18-w8-stem3d-late3d.py) with
# GenKD's attention as its neck (projection of its 64-channel last stage to
# the teacher's 256, attention + CVAE): the architecture of the GenKD arms
# and of their control, FR-only.
_base_ = './demo_student_r3d18_tiny_genkd.py'
model = dict(backbone=dict(conv1_kernel=(3, 7, 7), inflate=(0, 0, 0, 1)))
