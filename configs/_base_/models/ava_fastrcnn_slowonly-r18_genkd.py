# The full-width AVA student with GenKD's RoI attention; the 512-channel RoI
# feature is projected to the teacher's 2048 channels.
_base_ = ['./ava_fastrcnn_slowonly-r18.py']
model = dict(
    roi_head=dict(
        shared_head=dict(
            type='GenKDRoIAttention',
            # FastRCNN builds its parts in mmdet's registry; ours by scope
            _scope_='mmkd_video',
            in_channels=512,
            channels=2048,
            num_frames=4,
            roi_size=8,
            head=dict(pool_size=2)),
        bbox_head=dict(in_channels=2048)))
