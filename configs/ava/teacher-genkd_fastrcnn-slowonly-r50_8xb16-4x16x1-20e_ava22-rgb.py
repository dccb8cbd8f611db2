# AVA v2.2 teacher: full-size FastRCNN SlowOnly-R50 with GenKD's RoI attention
# + CVAE (see ../_base_/models/ava_teacher-genkd_r50-w8.py for the recipe),
# mmaction2's AVA data and schedule. The CVAE keeps GenKD's official Adam
# (lr 1e-4, betas 0.8/0.999); the network mmaction2's SGD.
_base_ = [
    '../_base_/models/ava_teacher-genkd_r50-w8.py',
    '../_base_/datasets/ava_v2.2_rawframes.py',
    '../_base_/schedules/ava_steplr_20e.py', '../_base_/default_runtime.py'
]
model = dict(
    student='{{ fileDirname }}/../_base_/models/'
    'ava_fastrcnn_slowonly-r50_genkd.py')
# AVA v2.2's SGD (../_base_/schedules/ava_sgd_steplr_20e.py); the CVAE at
# the official Adam lr
optim_wrapper = dict(
    cvae=dict(optimizer=dict(lr=1e-4)),
    network=dict(
        optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-5)))
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
