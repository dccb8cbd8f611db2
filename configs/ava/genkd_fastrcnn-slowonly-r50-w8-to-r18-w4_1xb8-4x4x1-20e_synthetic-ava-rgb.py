# GenKD on RoI features on the synthetic AVA set; the method is described
# in ../_base_/models/ava_genkd_r50-w8-to-r18-w4.py. Optimizers: the CVAE's
# Adam (official betas) and the network's AdamW (the demo schedule).
_base_ = [
    '../_base_/models/ava_genkd_r50-w8-to-r18-w4.py',
    '../_base_/datasets/ava_synthetic.py',
    '../_base_/schedules/demo_cosine_20e.py', '../_base_/default_runtime.py'
]
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
