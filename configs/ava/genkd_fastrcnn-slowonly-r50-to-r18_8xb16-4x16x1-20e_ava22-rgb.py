# GenKD on RoI features on AVA v2.2, SlowOnly-R50 -> R18 (RoI features
# projected to 2048 channels); the method is described in
# ../_base_/models/ava_genkd_r50-w8-to-r18-w4.py. CVAE: official Adam 1e-4.
# The method base's synthetic-pair models are replaced by the full-size pair.
_base_ = [
    '../_base_/models/ava_genkd_r50-w8-to-r18-w4.py',
    '../_base_/datasets/ava_v2.2_rawframes.py',
    '../_base_/schedules/ava_steplr_20e.py', '../_base_/default_runtime.py'
]
__models = '{{ fileDirname }}/../_base_/models/'
model = dict(
    student=__models + 'ava_fastrcnn_slowonly-r18_genkd.py',
    teacher=__models + 'ava_fastrcnn_slowonly-r50_genkd.py',
    teacher_ckpt='work_dirs/ava22/teacher/student_latest.pth')
# AVA v2.2's SGD (../_base_/schedules/ava_sgd_steplr_20e.py); the CVAE at
# the official Adam lr
optim_wrapper = dict(
    cvae=dict(optimizer=dict(lr=1e-4)),
    network=dict(
        optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-5)))
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
