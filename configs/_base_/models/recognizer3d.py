# What the 3D recognizers here share: mmaction2's Recognizer3D with an
# I3DHead (average pooling, class probabilities averaged over test clips)
# and ImageNet normalisation of NCTHW clips. A model file inherits this and
# sets its backbone, neck and the head's sizes.
model = dict(
    type='Recognizer3D',
    cls_head=dict(type='I3DHead', spatial_type='avg', average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],  # ImageNet RGB statistics, 0-255
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))
