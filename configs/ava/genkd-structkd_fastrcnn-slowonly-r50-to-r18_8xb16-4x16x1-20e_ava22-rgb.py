# GenKD + StructKD on AVA v2.2, SlowOnly-R50 -> R18; the method is described
# in ../_base_/models/ava_genkd-structkd_r50-w8-to-r18-w4.py.
# The method base's synthetic-pair models are replaced by the full-size pair.
_base_ = [
    '../_base_/models/ava_genkd-structkd_r50-w8-to-r18-w4.py',
    '../_base_/datasets/ava_v2.2_rawframes.py',
    '../_base_/schedules/ava_sgd_steplr_20e.py',
    '../_base_/default_runtime.py'
]
model = dict(
    student='{{ fileDirname }}/../_base_/models/'
    'ava_fastrcnn_slowonly-r18_genkd.py',
    teacher='{{ fileDirname }}/../_base_/models/'
    'ava_fastrcnn_slowonly-r50_genkd.py',
    teacher_ckpt='work_dirs/ava22/teacher/student_latest.pth',
    distill_losses=dict(ho=dict(discriminator=dict(in_channels=81,
                                                   base_channels=64))))
optim_wrapper = dict(
    _delete_=True,
    constructor='DistillerOptimWrapperConstructor',
    cvae=dict(modules=['student.roi_head.shared_head.head.cvae'],
              optimizer=dict(type='Adam', lr=1e-4, betas=(0.8, 0.999))),
    network=dict(
        modules=['student.backbone', 'student.roi_head.shared_head.proj',
                 'student.roi_head.shared_head.head.attention_branch',
                 'student.roi_head.bbox_head'],
        optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-5),
        clip_grad=dict(max_norm=40, norm_type=2)),
    discriminator=dict(
        modules=['distill_losses.ho.discriminator'],
        # WGAN-GP paper's Adam: the official SGD lr 4e-4 does not move the
        # critic on video-sized maps (README, StructKD)
        optimizer=dict(type='Adam', lr=1e-4, betas=(0., 0.9))))
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
custom_hooks = [dict(type='StudentExportHook'), dict(type='TeacherValHook')]
