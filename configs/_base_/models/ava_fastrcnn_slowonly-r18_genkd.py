# The full-width AVA student with GenKD's RoI attention: the narrow one's
# (./ava_fastrcnn_slowonly-r18-w4_genkd.py) at the widths of
# ./ava_fastrcnn_slowonly-r18.py; the 512-channel RoI feature is projected
# to the teacher's 2048 channels.
_base_ = ['./ava_fastrcnn_slowonly-r18-w4_genkd.py']
model = dict(
    backbone=dict(base_channels=64, spatial_strides=(1, 2, 2, 1)),
    roi_head=dict(
        bbox_roi_extractor=dict(featmap_stride=16),
        shared_head=dict(in_channels=512, channels=2048),
        bbox_head=dict(in_channels=2048, num_classes=81)))
