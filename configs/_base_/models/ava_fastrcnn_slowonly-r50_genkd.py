# The full-size AVA teacher with GenKD's attention + CVAE on its RoI
# features ([N_roi, 2048, 4, 8, 8] for 4-frame clips): the narrow one's
# (./ava_fastrcnn_slowonly-r50-w8_genkd.py) at the sizes of
# ./ava_fastrcnn_slowonly-r50.py.
_base_ = ['./ava_fastrcnn_slowonly-r50-w8_genkd.py']
model = dict(
    backbone=dict(base_channels=64, spatial_strides=(1, 2, 2, 1)),
    roi_head=dict(
        bbox_roi_extractor=dict(featmap_stride=16),
        shared_head=dict(in_channels=2048),
        bbox_head=dict(in_channels=2048, num_classes=81)))
