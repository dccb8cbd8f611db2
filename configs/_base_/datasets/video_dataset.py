# What every video-file dataset base shares: mmaction2's recognition
# pipelines at 224x224 (clips of 16 frames, stride 2, NCTHW for 3D CNNs) and
# the dataloaders around them. A dataset base inherits this and sets its
# files: data_root, ann_file_{train,val,test}, num_classes and each
# dataloader's dataset fields (the dataloaders below already hold these
# pipelines, so a base that changes a pipeline gives its dataloaders the new
# list too: mmengine replaces lists as a whole).
#
# Another location, ONE of:
#   <NAME>_ROOT=/abs/path python tools/train.py CONFIG
#       (mmengine fills the {{$...}} placeholder of data_root from it)
#   python tools/train.py CONFIG --cfg-options \
#       train_dataloader.dataset.data_root=DIR \
#       val_dataloader.dataset.data_root=DIR \
#       test_dataloader.dataset.data_root=DIR
#   python tools/train.py CONFIG --cfg-options data_root=DIR
#       (this project's tools/train.py and test.py re-root the dataloaders;
#       with plain mmengine tools `data_root=DIR` alone changes nothing, as
#       the dataloaders already hold the expanded string)
#
# Flip: the horizontal flip below is right for the real datasets but swaps
# the left/right and clockwise/counter-clockwise classes of the synthetic
# set; on that set add `train_dataloader.dataset.pipeline.6.flip_ratio=0.0`
# or use demo_video.py, which flips with a label map.
#
# The Checked* datasets are mmaction2's with an up-front check that every
# listed file exists (one error naming the annotation file and line); set
# skip_missing=True in a dataset to skip and count missing entries instead.
dataset_type = 'CheckedVideoDataset'
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
# one clip, centre-cropped
val_pipeline = train_pipeline[:1] + [
    dict(train_pipeline[1], test_mode=True),
] + train_pipeline[2:4] + [
    dict(type='CenterCrop', crop_size=224),
] + train_pipeline[7:]
# ten clips per video; Kinetics-400 swaps the centre crop for ThreeCrop
test_pipeline = [
    dict(val_pipeline[0]),
    dict(val_pipeline[1], num_clips=10),
] + val_pipeline[2:]

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_prefix=dict(video='videos'),
        skip_missing=False,
        pipeline=train_pipeline))
val_dataloader = dict(
    train_dataloader,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(train_dataloader['dataset'], pipeline=val_pipeline,
                 test_mode=True))
test_dataloader = dict(val_dataloader, batch_size=1,
                       dataset=dict(val_dataloader['dataset'],
                                    pipeline=test_pipeline))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
