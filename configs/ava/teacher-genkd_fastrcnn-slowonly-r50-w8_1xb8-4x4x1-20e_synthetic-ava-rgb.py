# The AVA teacher (FastRCNN, narrow SlowOnly-R50, GenKD's RoI attention +
# CVAE) trained on the synthetic AVA set; see
# ../_base_/models/ava_teacher-genkd_r50-w8.py.
_base_ = [
    '../_base_/models/ava_teacher-genkd_r50-w8.py',
    '../_base_/datasets/ava_synthetic.py',
    '../_base_/schedules/demo_cosine_20e.py', '../_base_/default_runtime.py'
]
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
