# GenKD + StructKD on the synthetic AVA set; the method is described in
# ../_base_/models/ava_genkd-structkd_r50-w8-to-r18-w4.py. The GenKD config's
# two optimizers plus the critic's (every optimizer follows the schedule's
# warm-up + cosine).
_base_ = [
    '../_base_/models/ava_genkd-structkd_r50-w8-to-r18-w4.py',
    '../_base_/datasets/ava_synthetic.py',
    '../_base_/schedules/demo_cosine_20e.py', '../_base_/default_runtime.py'
]
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
