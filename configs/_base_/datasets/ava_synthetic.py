# The synthetic AVA set (tools/data/generate_synthetic.py --layout ava):
# the same files and layout as AVA v2.2 (see ava_v2.2_rawframes.py), 96-px
# frames, 5 multi-label actions, keyframes 902-909 (frames span 900-911 s):
#   python tools/data/generate_synthetic.py --layout ava \
#       --out data/ava_synthetic --keyframes 902 909
# Clips are 4 frames at stride 4 (0.4 s) around each keyframe, no rescaling
# or flipping (a flip would swap `move left` and `move right`).
_base_ = ['./ava_v2.2_rawframes.py']
data_root = 'data/ava_synthetic'
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
num_classes = 6
timestamp_start = 900
timestamp_end = 911
clip_len = 4
frame_interval = 4

train_pipeline = [
    dict(type='SampleAVAFrames', clip_len=clip_len,
         frame_interval=frame_interval),
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='SampleAVAFrames', clip_len=clip_len,
         frame_interval=frame_interval, test_mode=True),
    dict(type='RawFrameDecode', io_backend='disk'),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    dict(type='PackActionInputs')
]
train_dataloader = dict(
    batch_size=8, num_workers=2,
    dataset=dict(ann_file=ann_file_train, exclude_file=exclude_file_train,
                 label_file=label_file, proposal_file=proposal_file_train,
                 pipeline=train_pipeline, data_prefix=dict(img=frame_root),
                 num_classes=num_classes, timestamp_start=timestamp_start,
                 timestamp_end=timestamp_end))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(ann_file=ann_file_val, exclude_file=exclude_file_val,
                 label_file=label_file, proposal_file=proposal_file_val,
                 pipeline=val_pipeline, data_prefix=dict(img=frame_root),
                 num_classes=num_classes, timestamp_start=timestamp_start,
                 timestamp_end=timestamp_end))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=ann_file_val, label_file=label_file,
                     exclude_file=exclude_file_val, num_classes=num_classes)
test_evaluator = val_evaluator
