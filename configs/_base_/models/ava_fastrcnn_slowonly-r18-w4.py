# AVA student: the teacher's detector (ava_fastrcnn_slowonly-r50-w8.py) on a
# much smaller backbone: SlowOnly-R18 (ResNet3dSlowOnly, basic blocks
# 2-2-2-2) with base_channels=4, so the feature is 32 channels (teacher 256)
# and the backbone has ~8x fewer parameters. Same stem, strides (stride-8
# features) and RoI head as the teacher, so backbone maps and RoIs align.
model = dict(
    type='FastRCNN',
    _scope_='mmdet',
    backbone=dict(
        type='mmaction.ResNet3dSlowOnly',
        depth=18,
        base_channels=4,
        pretrained=None,
        pretrained2d=False,
        lateral=False,
        num_stages=4,
        conv1_kernel=(1, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        spatial_strides=(1, 2, 1, 1)),
    roi_head=dict(
        type='AVARoIHead',
        bbox_roi_extractor=dict(
            type='SingleRoIExtractor3D',
            roi_layer_type='RoIAlign',
            featmap_stride=8,
            output_size=8,
            # RoI features keep time, [N_roi, C, 4, 8, 8]; BBoxHeadAVA
            # average-pools time itself, so its scores are those of
            # with_temporal_pool=True (RoIAlign is linear), while GenKD's
            # channel x time attention and per-RoI class maps see time.
            with_temporal_pool=False),
        bbox_head=dict(
            type='BBoxHeadAVA',
            background_class=True,
            in_channels=32,
            num_classes=6,  # 5 synthetic actions + the unused class 0
            multilabel=True,
            dropout_ratio=0.5)),
    data_preprocessor=dict(
        type='mmaction.ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'),
    train_cfg=dict(
        rcnn=dict(
            assigner=dict(
                type='MaxIoUAssignerAVA',
                pos_iou_thr=0.9,
                neg_iou_thr=0.9,
                min_pos_iou=0.9),
            sampler=dict(
                type='RandomSampler',
                num=32,
                pos_fraction=1,
                neg_pos_ub=-1,
                add_gt_as_proposals=True),
            pos_weight=1.0)),
    test_cfg=dict(rcnn=None))
