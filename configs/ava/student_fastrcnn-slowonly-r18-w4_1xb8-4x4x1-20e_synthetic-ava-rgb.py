# The AVA student trained alone (the baseline every distillation is compared
# with): plain mmaction2 FastRCNN, narrow SlowOnly-R18, same data and
# schedule as the distillation configs.
_base_ = [
    '../_base_/models/ava_fastrcnn_slowonly-r18-w4.py',
    '../_base_/datasets/ava_synthetic.py',
    '../_base_/schedules/demo_adamw_cosine_20e.py',
    '../_base_/default_runtime.py'
]
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
