# The AVA student with GenKD's attention on its RoI features. The RoI
# feature (32 channels) is projected to the teacher's 256 first, so the
# teacher's CVAE can read the student's feature and attention (GenKD's
# generative distillation); BBoxHeadAVA then takes 256 channels.
_base_ = ['./ava_fastrcnn_slowonly-r18-w4.py']
model = dict(
    roi_head=dict(
        shared_head=dict(
            type='GenKDRoIAttention',
            # FastRCNN builds its parts in mmdet's registry; ours by scope
            _scope_='mmkd_video',
            in_channels=32,
            channels=256,
            num_frames=4,
            roi_size=8,
            head=dict(pool_size=2)),
        bbox_head=dict(in_channels=256)))
