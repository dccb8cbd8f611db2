# StructKD (Pa + binary Pi + Ho) on AVA v2.2, SlowOnly-R50 -> R18; the
# method is described in
# ../_base_/models/ava_structkd-pa-pi-ho_r50-w8-to-r18-w4.py.
# The critic scores 81-class RoI maps [N_roi, 81, 4, 8, 8] (Adam, as on the
# synthetic set).
# The method base's synthetic-pair models are replaced by the full-size pair.
_base_ = [
    '../_base_/models/ava_structkd-pa-pi-ho_r50-w8-to-r18-w4.py',
    '../_base_/datasets/ava_v2.2_rawframes.py',
    '../_base_/schedules/ava_steplr_20e.py', '../_base_/default_runtime.py'
]
__models = '{{ fileDirname }}/../_base_/models/'
model = dict(
    student=__models + 'ava_fastrcnn_slowonly-r18.py',
    teacher=__models + 'ava_fastrcnn_slowonly-r50_genkd.py',
    teacher_ckpt='work_dirs/ava22/teacher/student_latest.pth',
    distill_losses=dict(ho=dict(discriminator=dict(in_channels=81,
                                                   base_channels=64))))
optim_wrapper = dict(student=dict(
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-5)))
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
