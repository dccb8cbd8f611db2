# The AVA teacher with GenKD's attention + CVAE on its RoI features
# (GenKDRoIAttention as AVARoIHead's shared head). The RoI features keep
# time ([N_roi, 256, 4, 8, 8]), the attention weights channels x time, and
# BBoxHeadAVA pools what it gets.
_base_ = ['./ava_fastrcnn_slowonly-r50-w8.py']
model = dict(
    roi_head=dict(
        shared_head=dict(
            type='GenKDRoIAttention',
            # FastRCNN builds its parts in mmdet's registry; ours by scope
            _scope_='mmkd_video',
            in_channels=256,
            num_frames=4,
            roi_size=8,
            head=dict(pool_size=2))))
