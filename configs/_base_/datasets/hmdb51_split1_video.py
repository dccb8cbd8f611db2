# HMDB51 split 1: mmaction2's standard layout and file lists, 224x224 inputs of
# 16 frames (stride 2) for 3D CNNs (NCTHW): UCF101's base with HMDB51's files.
#
# Expected files (as mmaction2's tools/data/hmdb51/ scripts build them):
#   data/hmdb51/videos/...  (<class>/<video>.avi)
#   data/hmdb51/hmdb51_train_split_1_videos.txt
#   data/hmdb51/hmdb51_val_split_1_videos.txt
# The synthetic set has the same layout:
#   python tools/data/generate_synthetic.py --out data --layout all
# writes data/hmdb51 among others; only this one:
#   python tools/data/generate_synthetic.py \
#       --out data/hmdb51 --layout hmdb51
#
# Locations, pipelines and the Flip caveat: ./video_dataset.py.
_base_ = ['./ucf101_split1_video.py']

data_root = '{{$HMDB51_ROOT:data/hmdb51}}'
ann_file_train = 'hmdb51_train_split_1_videos.txt'
ann_file_val = 'hmdb51_val_split_1_videos.txt'
ann_file_test = 'hmdb51_val_split_1_videos.txt'
num_classes = 51

# num_classes: labels are checked at load
train_dataloader = dict(dataset=dict(
    num_classes=num_classes, data_root=data_root, ann_file=ann_file_train))
val_dataloader = dict(dataset=dict(
    num_classes=num_classes, data_root=data_root, ann_file=ann_file_val))
test_dataloader = dict(dataset=dict(
    num_classes=num_classes, data_root=data_root, ann_file=ann_file_test))
