# StructKD (Pa + binary Pi + Ho) on the synthetic AVA set; the method is
# described in ../_base_/models/ava_structkd-pa-pi-ho_r50-w8-to-r18-w4.py.
# The critic has its own optimizer (Adam lr 1e-4, betas (0, 0.9); the
# official SGD lr 4e-4 does not move it on maps this small) and steps once
# after every student step.
_base_ = [
    '../_base_/models/ava_structkd-pa-pi-ho_r50-w8-to-r18-w4.py',
    '../_base_/datasets/ava_synthetic.py',
    '../_base_/schedules/demo_cosine_20e.py', '../_base_/default_runtime.py'
]
param_scheduler = dict(
    _delete_=True,
    student=[
        dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0,
             end=1, convert_to_iter_based=True),
        dict(type='CosineAnnealingLR', T_max=20, eta_min=0, by_epoch=True,
             begin=0, end=20)
    ],
    discriminator=[
        dict(type='PolyLR', power=0.9, eta_min=0, by_epoch=True, begin=0,
             end=20, convert_to_iter_based=True)
    ])
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
