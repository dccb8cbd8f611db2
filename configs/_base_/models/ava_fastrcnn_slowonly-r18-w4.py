# AVA student: the teacher's detector (ava_fastrcnn_slowonly-r50-w8.py) on a
# much smaller backbone: SlowOnly-R18 (ResNet3dSlowOnly, basic blocks
# 2-2-2-2) with base_channels=4, so the feature is 32 channels (teacher 256)
# and the backbone has ~8x fewer parameters. Same stem, strides (stride-8
# features) and RoI head as the teacher, so backbone maps and RoIs align.
_base_ = './ava_fastrcnn_slowonly-r50-w8.py'
model = dict(
    backbone=dict(depth=18, base_channels=4),
    roi_head=dict(bbox_head=dict(in_channels=32)))
