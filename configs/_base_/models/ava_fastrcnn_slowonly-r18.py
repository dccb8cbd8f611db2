# AVA v2.2 student at full width: FastRCNN SlowOnly-R18 (basic blocks,
# base_channels 64, 512-channel stride-16 features), the GenKD paper's
# SlowOnly-R50 -> R18 pair carried to detection.
_base_ = ['./ava_fastrcnn_slowonly-r18-w4.py']
model = dict(
    backbone=dict(base_channels=64, spatial_strides=(1, 2, 2, 1)),
    roi_head=dict(
        bbox_roi_extractor=dict(featmap_stride=16),
        bbox_head=dict(in_channels=512, num_classes=81)))
