# Logit KD for multi-label detection on the synthetic AVA set; the method
# is described in ../_base_/models/ava_kd_r50-w8-to-r18-w4.py.
_base_ = [
    '../_base_/models/ava_kd_r50-w8-to-r18-w4.py',
    '../_base_/datasets/ava_synthetic.py',
    '../_base_/schedules/demo_adamw_cosine_20e.py',
    '../_base_/default_runtime.py'
]
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
