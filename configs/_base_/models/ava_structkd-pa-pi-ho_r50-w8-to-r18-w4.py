# StructKD carried to action detection, three terms:
# * pair-wise (Pa): affinity graphs of the backbone maps
#   ([B, 32, 4, 12, 12] vs [B, 256, 4, 12, 12]; nodes after 2x max-pooling
#   in space and time), weight 0.5 (official run script);
# * pixel-wise (Pi), binary: per-RoI, per-class Bernoulli KL of the sigmoid
#   action scores [N_roi, 6] (multi-label, so no softmax), weight 10 (the
#   official lambda_pi);
# * holistic (Ho): a WGAN-GP critic (StructKDDiscriminator, 3D) tells the
#   teacher's per-RoI class maps from the student's: each model's own
#   classifier (roi_head.bbox_head.fc_cls) applied at every position of the
#   RoI feature BBoxHeadAVA receives, [N_roi, 6, 4, 8, 8]; weight 0.1
#   (official lambda_d), own optimizer (Adam lr 1e-4, betas (0, 0.9): the
#   official SGD lr 4e-4 does not move a critic on maps this small), stepped
#   after every student step on the student map of the same forward.
_base_ = ['./ava_distiller_r50-w8-to-r18-w4.py']
model = dict(
    student_recorders=dict(
        feat=dict(module='backbone'),
        roi_feat=dict(module='roi_head.bbox_head', source='input'),
        scores=dict(module='roi_head.bbox_head')),
    teacher_recorders=dict(
        feat=dict(module='backbone'),
        roi_feat=dict(module='roi_head.bbox_head', source='input'),
        scores=dict(module='roi_head.bbox_head')),
    distill_modules=dict(class_map=dict(type='ClassScoreMap')),
    derived=dict(
        s_map=dict(module='class_map', inputs=dict(feature='student.roi_feat'),
                   module_inputs=dict(
                       linear='student.roi_head.bbox_head.fc_cls'),
                   # the critic step scores this forward's map (official)
                   once_per_iter=True),
        t_map=dict(module='class_map', inputs=dict(feature='teacher.roi_feat'),
                   module_inputs=dict(
                       linear='teacher.roi_head.bbox_head.fc_cls'))),
    distill_losses=dict(
        pa=dict(type='PairWiseDistillLoss', pool_scale=0.5,
                temporal_pool_scale=0.5, loss_weight=0.5,
                inputs=dict(feat_S='student.feat', feat_T='teacher.feat')),
        pi=dict(type='BinaryPixelWiseDistillLoss', tau=1.0, loss_weight=10.0,
                inputs=dict(preds_S='student.scores',
                            preds_T='teacher.scores')),
        ho=dict(type='HolisticDistillLoss', loss_weight=0.1, gp_weight=10.0,
                discriminator=dict(type='StructKDDiscriminator',
                                   in_channels=6, input_size=(4, 8, 8),
                                   base_channels=16),
                inputs=dict(preds_S='s_map', preds_T='t_map'))),
    train_steps=[
        dict(optim_wrapper='student', losses=['pa', 'pi', 'ho'],
             task_loss=True),  # ho.forward: the generator term loss_adv_g
        dict(optim_wrapper='discriminator',
             losses=dict(ho='discriminator_loss')),  # loss_adv_d, loss_gp
    ])
# One optimizer per step, the synthetic set's (AdamW as
# ../schedules/demo_adamw_cosine_20e.py; configs on AVA v2.2 give SGD):
optim_wrapper = dict(
    constructor='DistillerOptimWrapperConstructor',
    student=dict(
        type='DataParallelOptimWrapper',
        optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4),
        clip_grad=dict(max_norm=40, norm_type=2)),
    discriminator=dict(type='DataParallelOptimWrapper',
                       modules=['distill_losses.ho.discriminator'],
                       # WGAN-GP paper's Adam: the official SGD lr 4e-4
                       # does not move the critic on video-sized maps
                       # (README, StructKD)
                       optimizer=dict(type='Adam', lr=1e-4, betas=(0., 0.9))))
custom_hooks = [dict(type='StudentExportHook'), dict(type='TeacherValHook')]
