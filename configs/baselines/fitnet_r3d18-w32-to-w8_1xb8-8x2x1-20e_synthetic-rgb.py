# FitNet hint: MSE between a 1x1x1 conv + BN projection of the student's last
# stage (64 ch) and the teacher's (256 ch), both [N, C, 4, 2, 2] here.
_base_ = [
    '../_base_/models/demo_distiller.py', '../_base_/datasets/demo_video.py',
    '../_base_/schedules/demo_adamw_cosine_20e.py', '../_base_/default_runtime.py'
]
model = dict(
    student_recorders=dict(feat=dict(module='backbone')),
    teacher_recorders=dict(feat=dict(module='backbone')),
    distill_modules=dict(
        hint=dict(type='ConvNormConnector', in_channels=64, out_channels=256)),
    derived=dict(feat_s=dict(module='hint', inputs=dict(feature='student.feat'))),
    distill_losses=dict(
        fitnet=dict(type='FeatureMSELoss', loss_weight=1.0,
                    inputs=dict(feat_S='feat_s', feat_T='teacher.feat'))))
