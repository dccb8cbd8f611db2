# AVA v2.2 teacher at full size: mmaction2's FastRCNN SlowOnly-R50 AVA
# detector (configs/detection/slowonly/*_ava2*-rgb.py): base_channels 64,
# 2048-channel stride-16 features, 81 classes. mmaction2 starts it from a
# Kinetics-400 SlowOnly-R50; set `model.init_cfg=dict(type='Pretrained',
# checkpoint=...)` to the checkpoint of its config.
_base_ = ['./ava_fastrcnn_slowonly-r50-w8.py']
model = dict(
    backbone=dict(base_channels=64, spatial_strides=(1, 2, 2, 1)),
    roi_head=dict(
        bbox_roi_extractor=dict(featmap_stride=16),
        bbox_head=dict(in_channels=2048, num_classes=81)))
