# TSM-MobileNetV2 on Kinetics-400, exactly mmaction2's recipe (68.71 top-1 in
# mmaction2's knowledge-distillation project, 69.60 distilled from TSM-R50
# with DIST; 8 GPUs x 16 clips, 100 epochs, SGD lr 0.02 with TSM's fc_lr5
# policy and auto-scaled lr, ImageNet-pretrained backbone). The student of
# the TSM-R50 -> TSM-MobileNetV2 pair and the "no KD" row of its table.
# Model-zoo checkpoint:
#   https://download.openmmlab.com/mmaction/v1.0/recognition/tsm/tsm_imagenet-pretrained-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb/tsm_imagenet-pretrained-mobilenetv2_8xb16-1x1x8-100e_kinetics400-rgb_20230414-401127fd.pth
#
# As for tsm-r50_8xb16-1x1x8-50e_kinetics400-rgb.py, only the registries and
# the dataset differ from mmaction2's config: CheckedVideoDataset with every
# path under the top-level `data_root` (`--cfg-options data_root=DIR` with
# our tools, or KINETICS400_ROOT=DIR). Pipelines are mmaction2's (test: 3
# crops of 256).
# ImageNet initialisation: mmaction2 downloads mmcls://mobilenet_v2 when
# training starts; ours is a local file (nothing is downloaded at run time),
# fetched once with `python tools/fetch_pretrained.py`. To train from
# scratch add `--cfg-options model.backbone.pretrained=None
# model.backbone.pretrained2d=False` (both: mmaction2's TSM backbones try to
# load `pretrained` whenever `pretrained2d` is True, even when it is None).
_base_ = ('mmaction::recognition/tsm/'
          'tsm_imagenet-pretrained-mobilenetv2_8xb16-1x1x8-100e_'
          'kinetics400-rgb.py')

default_scope = 'mmkd_video'
custom_imports = dict(imports=['mmkd_video'], allow_failed_imports=False)
# Works with tools/dist_train.sh on GPU (nccl) and CPU (gloo), and for the
# distillers built on this config (several optimizers per iteration): the
# data parallel wrapper and its gradient-averaging optim wrapper; see
# configs/_base_/default_runtime.py.
model_wrapper_cfg = dict(type='DistillerDataParallel')
optim_wrapper = dict(type='DataParallelOptimWrapper')
model = dict(backbone=dict(
    pretrained='checkpoints/imagenet/'
    'mobilenet_v2_batch256_imagenet_20200708-3b2dc3af.pth'))
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
