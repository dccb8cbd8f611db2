# The AVA teacher (FastRCNN, narrow SlowOnly-R50, GenKD's RoI attention +
# CVAE) trained on the synthetic AVA set; see
# ../_base_/models/ava_teacher-genkd_r50-w8.py.
_base_ = [
    '../_base_/models/ava_teacher-genkd_r50-w8.py',
    '../_base_/datasets/ava_synthetic.py',
    '../_base_/schedules/demo_adamw_cosine_20e.py',
    '../_base_/default_runtime.py'
]
optim_wrapper = dict(
    _delete_=True,
    constructor='DistillerOptimWrapperConstructor',
    cvae=dict(modules=['student.roi_head.shared_head.head.cvae'],
              optimizer=dict(type='Adam', lr=1e-3, betas=(0.8, 0.999))),
    network=dict(
        modules=['student.backbone',
                 'student.roi_head.shared_head.head.attention_branch',
                 'student.roi_head.bbox_head'],
        optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4),
        clip_grad=dict(max_norm=40, norm_type=2)))
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
custom_hooks = [dict(type='StudentExportHook')]
