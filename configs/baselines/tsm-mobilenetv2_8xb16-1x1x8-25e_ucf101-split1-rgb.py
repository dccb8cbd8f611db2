# TSM-MobileNetV2 fine-tuned on UCF101 split 1: the student of the UCF101
# pair and the "no KD" row. mmaction2 has no TSM-MobileNetV2 UCF101 recipe,
# so the schedule is the TSM-R50 one (./tsm-r50_8xb16-1x1x8-25e_ucf101-
# split1-rgb.py: 25 epochs, lr steps at 10 and 20, lr 0.002 for 8 x 16
# clips); model, pipelines (test: 3 crops of 256), weight decay and
# auto-scaled lr are mmaction2's K400 TSM-MobileNetV2 config, inherited
# through ./tsm-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb.py.
#
# Kinetics-400 initialisation: download
#   https://download.openmmlab.com/mmaction/v1.0/recognition/tsm/tsm_imagenet-pretrained-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb/tsm_imagenet-pretrained-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb_20230414-401127fd.pth
# and add `--cfg-options load_from=<that file>` (the 400-way fc_cls is
# skipped with a size-mismatch warning). None here so the config runs
# offline; offline also add `model.backbone.pretrained=None
# model.backbone.pretrained2d=False` (mmcls://mobilenet_v2 is downloaded at
# the start of training otherwise).
# Data: as the TSM-R50 UCF101 config (`data_root`, UCF101_ROOT).
_base_ = './tsm-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb.py'

load_from = None  # see above: the K400 checkpoint for the fine-tuning recipe

model = dict(cls_head=dict(num_classes=101))

data_root = '{{$UCF101_ROOT:data/ucf101}}'
data_root_val = data_root
ann_file_train = 'ucf101_train_split_1_videos.txt'
ann_file_val = 'ucf101_val_split_1_videos.txt'
ann_file_test = 'ucf101_val_split_1_videos.txt'

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file=ann_file_train,
        data_prefix=dict(video='videos')))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file=ann_file_val,
        data_prefix=dict(video='videos')))
test_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file=ann_file_test,
        data_prefix=dict(video='videos')))

max_epochs = 25
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[10, 20], gamma=0.1)
]
optim_wrapper = dict(optimizer=dict(lr=0.002))
