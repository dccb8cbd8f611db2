# GenKD on RoI features combined with StructKD's three terms: the GenKD
# config's CVAE step and network step, StructKD's pair-wise (backbone),
# binary pixel-wise (per-RoI scores) and holistic (per-RoI class maps,
# here of the attention-weighted 256-channel RoI features both models'
# bbox heads receive) terms added to the network step, and the critic's own
# step. Weights as in the two parent configs.
_base_ = ['./ava_genkd_r50-w8-to-r18-w4.py']
model = dict(
    student_recorders=dict(
        feat_bb=dict(module='backbone'),
        roi_feat=dict(module='roi_head.bbox_head', source='input'),
        scores=dict(module='roi_head.bbox_head')),
    teacher_recorders=dict(
        feat_bb=dict(module='backbone'),
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
                inputs=dict(feat_S='student.feat_bb',
                            feat_T='teacher.feat_bb')),
        pi=dict(type='BinaryPixelWiseDistillLoss', tau=1.0, loss_weight=10.0,
                inputs=dict(preds_S='student.scores',
                            preds_T='teacher.scores')),
        ho=dict(type='HolisticDistillLoss', loss_weight=0.1, gp_weight=10.0,
                discriminator=dict(type='StructKDDiscriminator',
                                   in_channels=6, input_size=(4, 8, 8),
                                   base_channels=16),
                inputs=dict(preds_S='s_map', preds_T='t_map'))),
    train_steps=[
        dict(optim_wrapper='cvae', losses=['cvae', 'gd']),
        dict(optim_wrapper='network', losses=['rec', 'ad', 'pa', 'pi', 'ho'],
             task_loss=True),
        dict(optim_wrapper='discriminator',
             losses=dict(ho='discriminator_loss')),
    ])
optim_wrapper = dict(
    discriminator=dict(type='DataParallelOptimWrapper',
                       modules=['distill_losses.ho.discriminator'],
                       # WGAN-GP paper's Adam: the official SGD lr 4e-4
                       # does not move the critic on video-sized maps
                       # (README, StructKD)
                       optimizer=dict(type='Adam', lr=1e-4, betas=(0., 0.9))))
