# Logit KD (binary KL per RoI) on AVA v2.2, SlowOnly-R50 -> R18; the method
# is described in ../_base_/models/ava_kd_r50-w8-to-r18-w4.py.
# The method base's synthetic-pair models are replaced by the full-size pair.
_base_ = [
    '../_base_/models/ava_kd_r50-w8-to-r18-w4.py',
    '../_base_/datasets/ava_v2.2_rawframes.py',
    '../_base_/schedules/ava_sgd_steplr_20e.py', '../_base_/default_runtime.py'
]
__models = '{{ fileDirname }}/../_base_/models/'
model = dict(
    student=__models + 'ava_fastrcnn_slowonly-r18.py',
    teacher=__models + 'ava_fastrcnn_slowonly-r50_genkd.py',
    teacher_ckpt='work_dirs/ava22/teacher/student_latest.pth')
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
