# AVA v2.2 student alone: plain mmaction2 FastRCNN SlowOnly-R18 (full
# width), mmaction2's AVA data and schedule.
_base_ = [
    '../_base_/models/ava_fastrcnn_slowonly-r18.py',
    '../_base_/datasets/ava_v2.2_rawframes.py',
    '../_base_/schedules/ava_sgd_steplr_20e.py',
    '../_base_/default_runtime.py'
]
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
