# Kinetics-400: mmaction2's standard layout and file lists, 224x224 inputs of
# 16 frames (stride 2) for 3D CNNs (NCTHW).
#
# Expected files (as mmaction2's tools/data/kinetics/ scripts build them):
#   data/kinetics400/videos_train/...  (and videos_val/; flat <name>.mp4)
#   data/kinetics400/kinetics400_train_list_videos.txt
#   data/kinetics400/kinetics400_val_list_videos.txt
# The synthetic set has the same layout:
#   python tools/data/generate_synthetic.py --out data --layout all
# writes data/kinetics400 among others; only this one:
#   python tools/data/generate_synthetic.py \
#       --out data/kinetics400 --layout kinetics
#
# Locations, pipelines and the Flip caveat: ./video_dataset.py.
_base_ = ['./video_dataset.py']

data_root = '{{$KINETICS400_ROOT:data/kinetics400}}'
ann_file_train = 'kinetics400_train_list_videos.txt'
ann_file_val = 'kinetics400_val_list_videos.txt'
ann_file_test = 'kinetics400_val_list_videos.txt'
num_classes = 400
# mmaction2's Kinetics-400 test: 10 clips x 3 crops of 256
test_pipeline = list(_base_.test_pipeline)
test_pipeline[4] = dict(type='ThreeCrop', crop_size=256)

# num_classes: labels are checked at load
train_dataloader = dict(dataset=dict(
    num_classes=num_classes, data_root=data_root, ann_file=ann_file_train,
    data_prefix=dict(video='videos_train')))
val_dataloader = dict(dataset=dict(
    num_classes=num_classes, data_root=data_root, ann_file=ann_file_val,
    data_prefix=dict(video='videos_val')))
test_dataloader = dict(dataset=dict(
    num_classes=num_classes, data_root=data_root, ann_file=ann_file_test,
    data_prefix=dict(video='videos_val'), pipeline=test_pipeline))
