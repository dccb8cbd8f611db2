# The synthetic motion set (tools/data/generate_synthetic.py), UCF101 layout:
# 10 classes, 32-frame 64x64 clips; inputs are 8 frames (stride 2), 64x64.
#
# Generate it, then point the config at it with ONE of:
#   python tools/data/generate_synthetic.py --out data/synthetic
#       (the default data_root below: nothing to override)
#   MMKD_DATA_ROOT=/abs/path python tools/train.py CONFIG
#       (mmengine fills the {{$...}} placeholder of data_root from it)
#   python tools/train.py CONFIG --cfg-options \
#       train_dataloader.dataset.data_root=DIR \
#       val_dataloader.dataset.data_root=DIR \
#       test_dataloader.dataset.data_root=DIR
#   python tools/train.py CONFIG --cfg-options data_root=DIR
#       (this project's tools/train.py and test.py re-root the dataloaders;
#       with plain mmengine tools `data_root=DIR` alone changes nothing, as
#       the dataloaders below already hold the expanded string)
#
# The Checked* datasets are mmaction2's with an up-front check that every
# listed file exists (one error naming the annotation file and line); set
# skip_missing=True in a dataset to skip and count missing entries instead.
dataset_type = 'CheckedVideoDataset'
data_root = '{{$MMKD_DATA_ROOT:data/synthetic}}'
ann_file_train = 'ucf101_train_split_1_videos.txt'
ann_file_val = 'ucf101_val_split_1_videos.txt'
ann_file_test = 'ucf101_val_split_1_videos.txt'
num_classes = 10
clip_len = 8
frame_interval = 2
# A horizontal flip turns left into right and clockwise into
# counter-clockwise, so labels swap with it (synthetic.flip_label_map(10)).
flip_label_map = {0: 1, 1: 0, 4: 5, 5: 4, 8: 9, 9: 8}

train_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(
        type='SampleFrames',
        clip_len=clip_len,
        frame_interval=frame_interval,
        num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 72)),
    dict(type='RandomCrop', size=64),
    dict(type='Flip', flip_ratio=0.5, flip_label_map=flip_label_map),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(
        type='SampleFrames',
        clip_len=clip_len,
        frame_interval=frame_interval,
        num_clips=1,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 72)),
    dict(type='CenterCrop', crop_size=64),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = val_pipeline

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,  # labels checked at load
        data_root=data_root,
        ann_file=ann_file_train,
        data_prefix=dict(video='videos'),
        skip_missing=False,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,  # labels checked at load
        data_root=data_root,
        ann_file=ann_file_val,
        data_prefix=dict(video='videos'),
        skip_missing=False,
        pipeline=val_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        num_classes=num_classes,  # labels checked at load
        data_root=data_root,
        ann_file=ann_file_test,
        data_prefix=dict(video='videos'),
        skip_missing=False,
        pipeline=test_pipeline,
        test_mode=True))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
