# Attention transfer on the spatio-temporal energy maps of the last two
# stages (channel counts may differ; T, H, W match between the pair).
_base_ = [
    '../_base_/models/demo_distiller.py', '../_base_/datasets/demo_video.py',
    '../_base_/schedules/demo_adamw_cosine_20e.py', '../_base_/default_runtime.py'
]
model = dict(
    student_recorders=dict(l3=dict(module='backbone.layer3'),
                           l4=dict(module='backbone.layer4')),
    teacher_recorders=dict(l3=dict(module='backbone.layer3'),
                           l4=dict(module='backbone.layer4')),
    distill_losses=dict(
        at_l3=dict(type='ATLoss', inputs=dict(feat_S='student.l3',
                                              feat_T='teacher.l3')),
        at_l4=dict(type='ATLoss', inputs=dict(feat_S='student.l4',
                                              feat_T='teacher.l4'))))
