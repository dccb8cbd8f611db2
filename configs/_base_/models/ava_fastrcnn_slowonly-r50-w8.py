# AVA teacher: mmaction2's FastRCNN (mmdet TwoStageDetector) with a
# SlowOnly-R50 backbone (ResNet3dSlowOnly, bottleneck blocks 3-4-6-3, the
# 1x7x7 stem and inflation of mmaction2's SlowOnly-R50 AVA config), made
# narrow to train on a CPU: base_channels=8 instead of 64, so the feature is
# 8 * 8 * 4 = 256 channels instead of 2048. The last two stages keep stride
# 1 (spatial_strides (1, 2, 1, 1)): stride-8 features, 12x12 for the 96-px
# synthetic frames, so a ~25-px actor covers ~3x3 cells before RoIAlign.
# For real AVA set base_channels=64 and spatial_strides=(1, 2, 2, 1) with
# in_channels=2048 (mmaction2's own config).
model = dict(
    type='FastRCNN',
    _scope_='mmdet',
    backbone=dict(
        type='mmaction.ResNet3dSlowOnly',
        depth=50,
        base_channels=8,
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
            in_channels=256,
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
