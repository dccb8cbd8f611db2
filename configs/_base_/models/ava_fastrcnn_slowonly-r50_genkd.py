# The full-size AVA teacher with GenKD's attention + CVAE on its RoI
# features ([N_roi, 2048, 4, 8, 8] for 4-frame clips).
_base_ = ['./ava_fastrcnn_slowonly-r50.py']
model = dict(
    roi_head=dict(
        shared_head=dict(
            type='GenKDRoIAttention',
            # FastRCNN builds its parts in mmdet's registry; ours by scope
            _scope_='mmkd_video',
            in_channels=2048,
            num_frames=4,
            roi_size=8,
            head=dict(pool_size=2))))
