# GenKD + StructKD on the synthetic AVA set; the method is described in
# ../_base_/models/ava_genkd-structkd_r50-w8-to-r18-w4.py. The GenKD config's
# two optimizers plus the critic's (every optimizer follows the schedule's
# warm-up + cosine).
_base_ = [
    '../_base_/models/ava_genkd-structkd_r50-w8-to-r18-w4.py',
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
        modules=['student.backbone', 'student.roi_head.shared_head.proj',
                 'student.roi_head.shared_head.head.attention_branch',
                 'student.roi_head.bbox_head'],
        optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4),
        clip_grad=dict(max_norm=40, norm_type=2)),
    discriminator=dict(
        modules=['distill_losses.ho.discriminator'],
        # WGAN-GP paper's Adam: the official SGD lr 4e-4 does not move the
        # critic on video-sized maps (README, StructKD)
        optimizer=dict(type='Adam', lr=1e-4, betas=(0., 0.9))))
default_hooks = dict(checkpoint=dict(save_best='mAP/overall', rule='greater'))
custom_hooks = [dict(type='StudentExportHook'), dict(type='TeacherValHook')]
