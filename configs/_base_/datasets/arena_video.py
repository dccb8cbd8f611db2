# The distillation arena's data (tools/arena.py): the synthetic motion set
# (64-px frames, read at 48 x 48) with a held-out test split, sized so a few points of effect are
# measurable: 700 train, 400 val, 400 test clips (70 / 40 / 40 per class,
# split by scene group, so no scene is in two splits). Generate it with
#   python tools/data/generate_synthetic.py --out data/arena \
#       --videos-per-class 150 --clips-per-group 5 --val-ratio 0.27 \
#       --test-ratio 0.27 --frames 16 --size 64
# (tools/arena.py does this when the folder is absent). Settings are chosen
# on val; the test list is read only for the final table.
# Inputs: 8 frames (stride 2, the whole 16-frame clip), 48 x 48: the last
# stage of the R3D-18 pair is [N, C, 4, 2, 2], as on the 64-px demo set, so
# every method's shapes (GenKD neck, StructKD critic) are the demo's.
_base_ = ['./demo_video.py']

data_root = 'data/arena'
ann_file_test = 'ucf101_test_split_1_videos.txt'
train_pipeline = list(_base_.train_pipeline)
train_pipeline[3:5] = [
    dict(type='Resize', scale=(-1, 54)),
    dict(type='RandomCrop', size=48),
]
val_pipeline = list(_base_.val_pipeline)
val_pipeline[3:5] = [
    dict(type='Resize', scale=(-1, 54)),
    dict(type='CenterCrop', crop_size=48),
]
test_pipeline = val_pipeline

train_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=val_pipeline))
test_dataloader = dict(
    dataset=dict(data_root=data_root, ann_file=ann_file_test,
                 pipeline=test_pipeline))
