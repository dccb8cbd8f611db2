# TSM-R50 on Kinetics-400, exactly mmaction2's recipe (model zoo: 73.18 top-1,
# 1 clip x 8 segments, center crop; 8 GPUs x 16 clips, 50 epochs, SGD lr 0.02
# with TSM's fc_lr5 policy, ImageNet-pretrained backbone). The teacher of the
# TSM-R50 -> TSM-MobileNetV2 pair (mmaction2's knowledge-distillation project
# uses the model-zoo checkpoint
#   https://download.openmmlab.com/mmaction/v1.0/recognition/tsm/tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb/tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb_20220831-64d69186.pth
# as its teacher).
#
# What differs from mmaction2's config (the recipe itself does not):
# * our registries (`default_scope`) and `custom_imports`, so the config also
#   works with plain mmengine/mmaction2 tools;
# * the data parallel wrapper (with its optim wrapper type) and
#   RandomStateHook, so tools/dist_train.sh also runs on CPU and a resumed
#   run continues its random streams;
# * the dataset: our CheckedVideoDataset (mmaction2's VideoDataset plus an
#   up-front check that every listed video exists) and every path derived
#   from the top-level `data_root` (the dataset root, not mmaction2's
#   `videos_train` folder), so `--cfg-options data_root=DIR` moves them all
#   with this project's tools/train.py and tools/test.py, or
#   KINETICS400_ROOT=DIR fills the placeholder. Pipelines are mmaction2's.
#
# Expected files (mmaction2's tools/data/kinetics/ layout):
#   <data_root>/videos_train/<name>.mp4, <data_root>/videos_val/<name>.mp4
#   <data_root>/kinetics400_{train,val}_list_videos.txt
# ImageNet initialisation: mmaction2 downloads torchvision://resnet50 when
# training starts; ours is the same file, local (nothing is downloaded at run
# time), fetched once with `python tools/fetch_pretrained.py`. To train from
# scratch add `--cfg-options model.backbone.pretrained=None
# model.backbone.pretrained2d=False` (both: mmaction2's TSM backbones try to
# load `pretrained` whenever `pretrained2d` is True, even when it is None).
_base_ = ('mmaction::recognition/tsm/'
          'tsm_imagenet-pretrained-r50_8xb16-1x1x8-50e_kinetics400-rgb.py')

default_scope = 'mmkd_video'
custom_imports = dict(imports=['mmkd_video'], allow_failed_imports=False)
# Works with tools/dist_train.sh on GPU (nccl) and CPU (gloo), and for the
# distillers built on this config (several optimizers per iteration): the
# data parallel wrapper and its gradient-averaging optim wrapper; see
# configs/_base_/default_runtime.py.
model_wrapper_cfg = dict(type='DistillerDataParallel')
optim_wrapper = dict(type='DataParallelOptimWrapper')
model = dict(backbone=dict(
    pretrained='checkpoints/imagenet/resnet50-0676ba61.pth'))
default_hooks = dict(
    random_state=dict(type='RandomStateHook'),
    checkpoint=dict(backend_args=dict(backend='atomic_local')),
    finite_checkpoint=dict(type='FiniteCheckpointHook'),
    plain_checkpoint=dict(type='PlainCheckpointHook'))

dataset_type = 'CheckedVideoDataset'
data_root = '{{$KINETICS400_ROOT:data/kinetics400}}'
data_root_val = data_root  # mmaction2's video folders are data_prefix here
ann_file_train = 'kinetics400_train_list_videos.txt'
ann_file_val = 'kinetics400_val_list_videos.txt'
ann_file_test = 'kinetics400_val_list_videos.txt'

# The dataloaders come from an mmaction:: config, so mmengine marks their
# parts `_scope_='mmaction'`; our dataset type lives in mmkd_video's registry.
__checked = dict(type=dataset_type, _scope_='mmkd_video', data_root=data_root,
                 skip_missing=False)
train_dataloader = dict(dataset=dict(
    __checked, ann_file=ann_file_train,
    data_prefix=dict(video='videos_train')))
val_dataloader = dict(dataset=dict(
    __checked, ann_file=ann_file_val, data_prefix=dict(video='videos_val')))
test_dataloader = dict(dataset=dict(
    __checked, ann_file=ann_file_test, data_prefix=dict(video='videos_val')))
