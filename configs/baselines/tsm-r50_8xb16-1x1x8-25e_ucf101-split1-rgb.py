# TSM-R50 fine-tuned on UCF101 split 1: the teacher of the UCF101 pair.
# Recipe of mmaction2 0.x's tsm_k400_pretrained_r50_1x1x8_25e_ucf101_rgb
# (94.50 top-1 from the Kinetics-400 checkpoint): 25 epochs, lr steps at 10
# and 20, lr 0.0015 for 8 x 12 clips, here 0.002 for 8 x 16; the rest
# (model, 1x1x8 TSM pipelines, SGD + fc_lr5 policy) is mmaction2's K400
# config, inherited through ./tsm-r50_8xb16-1x1x8-50e_kinetics400-rgb.py.
#
# Kinetics-400 initialisation, as mmaction2 fine-tunes it: download
#   https://download.openmmlab.com/mmaction/v1.0/recognition/tsm/tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb/tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb_20220831-64d69186.pth
# and add `--cfg-options load_from=<that file>` (the 400-way fc_cls is
# skipped with a size-mismatch warning; the 101-way head keeps its init).
# `load_from` stays None here so the config runs offline; from ImageNet
# alone the accuracy is markedly lower. Offline also add
# `model.backbone.pretrained=None model.backbone.pretrained2d=False`
# (torchvision://resnet50 is downloaded at the start of training otherwise).
#
# Data: mmaction2's UCF101 layout (tools/data/ucf101/), every path under the
# top-level `data_root`:
#   <data_root>/videos/<Class>/v_<Class>_gXX_cYY.avi
#   <data_root>/ucf101_{train,val}_split_1_videos.txt
# Another location: `--cfg-options data_root=DIR` with this project's
# tools/train.py and tools/test.py (they re-root every dataset path), or
# UCF101_ROOT=DIR. The generated set (python tools/data/generate_synthetic.py
# --out DIR --layout ucf101) has this layout but fewer classes: add
# `model.cls_head.num_classes=<its count>`, and
# `train_dataloader.dataset.pipeline.6.flip_ratio=0.0` (its left/right
# classes swap under the flip).
_base_ = './tsm-r50_8xb16-1x1x8-50e_kinetics400-rgb.py'

load_from = None  # see above: the K400 checkpoint for mmaction2's recipe

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
