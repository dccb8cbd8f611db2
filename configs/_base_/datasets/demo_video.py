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
# Checked* datasets: see ./video_dataset.py.
_base_ = ['./video_dataset.py']

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

# the base pipelines at 64 x 64: resize the short side to 72, then a random
# crop with label-mapped flips in training, the centre crop otherwise
train_pipeline = list(_base_.train_pipeline)
train_pipeline[1] = dict(train_pipeline[1], clip_len=clip_len)
train_pipeline[3:7] = [
    dict(type='Resize', scale=(-1, 72)),
    dict(type='RandomCrop', size=64),
    dict(type='Flip', flip_ratio=0.5, flip_label_map=flip_label_map),
]
val_pipeline = list(_base_.val_pipeline)
val_pipeline[1] = dict(val_pipeline[1], clip_len=clip_len)
val_pipeline[3:5] = [
    dict(type='Resize', scale=(-1, 72)),
    dict(type='CenterCrop', crop_size=64),
]
test_pipeline = val_pipeline

# two workers, eight clips per test batch; num_classes: labels are checked at
# load
train_dataloader = dict(
    num_workers=2,
    dataset=dict(num_classes=num_classes, data_root=data_root,
                 ann_file=ann_file_train, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(num_classes=num_classes, data_root=data_root,
                 ann_file=ann_file_val, pipeline=val_pipeline))
test_dataloader = dict(
    batch_size=8,
    num_workers=2,
    dataset=dict(num_classes=num_classes, data_root=data_root,
                 ann_file=ann_file_test, pipeline=test_pipeline))
