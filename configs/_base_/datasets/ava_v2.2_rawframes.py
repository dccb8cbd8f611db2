# AVA v2.2 in mmaction2's standard layout (tools/data/ava in mmaction2):
#   data/ava/rawframes/<video_id>/img_00001.jpg ...   (30 fps, 900-1800 s)
#   data/ava/annotations/ava_{train,val}_v2.2.csv, the excluded-timestamps
#   CSVs, ava_action_list_v2.2_for_activitynet_2019.pbtxt and FAIR's dense
#   person proposals (ava_dense_proposals_{train,val}.FAIR.recall_93.9.pkl).
# Clips are SlowOnly's 4x16x1 (4 frames, stride 16) at 256 px, as mmaction2's
# slowonly ..._ava21/22 configs. `--cfg-options data_root=DIR` moves every
# path below (our tools re-root the dataloaders and evaluators).
# CheckedAVADataset is mmaction2's AVADataset plus an up-front check that
# every keyframe has frames and proposals (one error naming the keys).
dataset_type = 'CheckedAVADataset'
data_root = 'data/ava'
anno_root = f'{data_root}/annotations'
frame_root = f'{data_root}/rawframes'
ann_file_train = f'{anno_root}/ava_train_v2.2.csv'
ann_file_val = f'{anno_root}/ava_val_v2.2.csv'
exclude_file_train = f'{anno_root}/ava_train_excluded_timestamps_v2.2.csv'
exclude_file_val = f'{anno_root}/ava_val_excluded_timestamps_v2.2.csv'
label_file = f'{anno_root}/ava_action_list_v2.2_for_activitynet_2019.pbtxt'
proposal_file_train = (f'{anno_root}/ava_dense_proposals_train.FAIR.'
                       'recall_93.9.pkl')
proposal_file_val = f'{anno_root}/ava_dense_proposals_val.FAIR.recall_93.9.pkl'
num_classes = 81  # 80 evaluated actions + mmaction2's unused class 0
timestamp_start = 900
timestamp_end = 1800
clip_len = 4
frame_interval = 16

train_pipeline = [
    dict(type='SampleAVAFrames', clip_len=clip_len,
         frame_interval=frame_interval),
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='RandomRescale', scale_range=(256, 320)),
    dict(type='RandomCrop', size=256),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='SampleAVAFrames', clip_len=clip_len,
         frame_interval=frame_interval, test_mode=True),
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    dict(type='PackActionInputs')
]
# what the train and val datasets share
__frames = dict(type=dataset_type, label_file=label_file,
                data_prefix=dict(img=frame_root), num_classes=num_classes,
                timestamp_start=timestamp_start, timestamp_end=timestamp_end)
train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(__frames, ann_file=ann_file_train,
                 exclude_file=exclude_file_train,
                 proposal_file=proposal_file_train, pipeline=train_pipeline))
# AVARoIHead predicts one clip at a time
val_dataloader = dict(
    train_dataloader,
    batch_size=1,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(__frames, ann_file=ann_file_val,
                 exclude_file=exclude_file_val,
                 proposal_file=proposal_file_val, pipeline=val_pipeline,
                 test_mode=True))
test_dataloader = val_dataloader

# frame mAP@0.5 IoU (AVA's official protocol)
val_evaluator = dict(
    type='AVAMetric',
    ann_file=ann_file_val,
    label_file=label_file,
    exclude_file=exclude_file_val,
    num_classes=num_classes)
test_evaluator = val_evaluator
