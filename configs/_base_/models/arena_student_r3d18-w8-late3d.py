# The arena's student: the demo student (R3D-18 at 1/4 width, 2D stem) with
# temporal kernels in the last stage only, so it has far less motion
# capacity than the all-3D teacher: measured on the arena data, 6 epochs,
# seed 0: val top-1 62.8 % (the demo student with 3D layer3 + layer4: 71 % at
# epoch 6 of 12, 87 % at epoch 8, too close to the teacher to leave room
# for distillation).
_base_ = './demo_student_r3d18_tiny.py'
model = dict(backbone=dict(inflate=(0, 0, 0, 1)))
