# UCF101 split 1: mmaction2's standard layout and file lists, 224x224 inputs of
# 16 frames (stride 2) for 3D CNNs (NCTHW).
#
# Expected files (as mmaction2's tools/data/ucf101/ scripts build them):
#   data/ucf101/videos/...  (<Class>/v_<Class>_gXX_cYY.avi)
#   data/ucf101/ucf101_train_split_1_videos.txt
#   data/ucf101/ucf101_val_split_1_videos.txt
# The synthetic set has the same layout:
#   python tools/data/generate_synthetic.py --out data --layout all
# writes data/ucf101 among others; only this one:
#   python tools/data/generate_synthetic.py \
#       --out data/ucf101 --layout ucf101
#
# Another location, ONE of:
#   UCF101_ROOT=/abs/path python tools/train.py CONFIG
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
# Flip: the horizontal flip below is right for UCF101 split 1 but swaps the
# left/right and clockwise/counter-clockwise classes of the synthetic set;
# on that set add `train_dataloader.dataset.pipeline.6.flip_ratio=0.0` or
# use demo_video.py, which flips with a label map.
#
# The Checked* datasets are mmaction2's with an up-front check that every
# listed file exists (one error naming the annotation file and line); set
# skip_missing=True in a dataset to skip and count missing entries instead.
dataset_type = 'CheckedVideoDataset'
data_root = '{{$UCF101_ROOT:data/ucf101}}'
ann_file_train = 'ucf101_train_split_1_videos.txt'
ann_file_val = 'ucf101_val_split_1_videos.txt'
ann_file_test = 'ucf101_val_split_1_videos.txt'
num_classes = 101
clip_len = 16
frame_interval = 2

train_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(
        type='SampleFrames',
        clip_len=clip_len,
        frame_interval=frame_interval,
        num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
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
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='DecordInit', io_backend='disk'),
    dict(
        type='SampleFrames',
        clip_len=clip_len,
        frame_interval=frame_interval,
        num_clips=10,
        test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
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
    num_workers=4,
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
    batch_size=1,
    num_workers=4,
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
