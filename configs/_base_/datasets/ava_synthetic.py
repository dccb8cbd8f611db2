# The synthetic AVA set (tools/data/generate_synthetic.py --layout ava):
# the same files and layout as AVA v2.2 (see ava_v2.2_rawframes.py), 96-px
# frames, 5 multi-label actions, keyframes 902-909 (frames span 900-911 s):
#   python tools/data/generate_synthetic.py --layout ava \
#       --out data/ava_synthetic --keyframes 902 909
# Clips are 4 frames at stride 4 (0.4 s) around each keyframe, no rescaling
# or flipping (a flip would swap `move left` and `move right`).
_base_ = ['./ava_v2.2_rawframes.py']
data_root = 'data/ava_synthetic'
# the base's files, under this data_root
(anno_root, frame_root, ann_file_train, ann_file_val, exclude_file_train,
 exclude_file_val, label_file, proposal_file_train, proposal_file_val) = (
     _base_[name].replace(_base_.data_root, data_root, 1)
     for name in ('anno_root', 'frame_root', 'ann_file_train', 'ann_file_val',
                  'exclude_file_train', 'exclude_file_val', 'label_file',
                  'proposal_file_train', 'proposal_file_val'))
num_classes = 6
timestamp_start = 900
timestamp_end = 911
clip_len = 4
frame_interval = 4

# the base pipelines without rescaling, cropping and flipping
train_pipeline = [dict(_base_.train_pipeline[0], frame_interval=frame_interval)
                  ] + _base_.train_pipeline[1:2] + _base_.train_pipeline[5:]
val_pipeline = [dict(_base_.val_pipeline[0], frame_interval=frame_interval)
                ] + _base_.val_pipeline[1:2] + _base_.val_pipeline[3:]
__frames = dict(label_file=label_file, data_prefix=dict(img=frame_root),
                num_classes=num_classes, timestamp_end=timestamp_end)
train_dataloader = dict(
    batch_size=8, num_workers=2,
    dataset=dict(__frames, ann_file=ann_file_train,
                 exclude_file=exclude_file_train,
                 proposal_file=proposal_file_train, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(__frames, ann_file=ann_file_val,
                 exclude_file=exclude_file_val,
                 proposal_file=proposal_file_val, pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=ann_file_val, label_file=label_file,
                     exclude_file=exclude_file_val, num_classes=num_classes)
test_evaluator = val_evaluator
