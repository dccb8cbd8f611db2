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
# Locations, pipelines and the Flip caveat: ./video_dataset.py.
_base_ = ['./video_dataset.py']

data_root = '{{$UCF101_ROOT:data/ucf101}}'
ann_file_train = 'ucf101_train_split_1_videos.txt'
ann_file_val = 'ucf101_val_split_1_videos.txt'
ann_file_test = 'ucf101_val_split_1_videos.txt'
num_classes = 101

# num_classes: labels are checked at load
train_dataloader = dict(dataset=dict(
    num_classes=num_classes, data_root=data_root, ann_file=ann_file_train))
val_dataloader = dict(dataset=dict(
    num_classes=num_classes, data_root=data_root, ann_file=ann_file_val))
test_dataloader = dict(dataset=dict(
    num_classes=num_classes, data_root=data_root, ann_file=ann_file_test))
