# GenKD phase 1, Feature Representation, at the paper's setting on HMDB51
# split 1 (not in the official release; see README "GenKD"): the UCF101 config
# (./genkd-phase1_i3d-inception_8xb6-64x1x1-50e_ucf101-split1-rgb.py, which
# holds the wiring) with HMDB51's files, a 51-way head and its teacher.
# The fine-tuned I3D teacher, backbone frozen, learns its attention neck
# through its classification loss on F ⊙ A (rescaled) and its CVAE through
# the CVAE loss on its own Mixed_5c feature; two optimizers alternate every
# iteration. Same wiring as the demo
# (./genkd-phase1_r3d18-w32_1xb8-8x2x1-6e_synthetic-rgb.py) at full size:
# F = Mixed_5c [N, 1024, 8, 7, 7], A [N, 1024, 8].
#
# Input: the I3D baseline's checkpoint, produced by
#   python tools/train.py \
#       configs/baselines/i3d-inception_8xb6-64x1x1-200e_hmdb51-split1-rgb.py
# (`student_ckpt` below; the new neck keeps its init, loaded non-strictly).
# Output for phase 2: work_dirs/genkd-phase1_i3d-inception_8xb6-64x1x1-50e_
# hmdb51-split1-rgb/student_latest.pth (the teacher with its trained neck).
_base_ = './genkd-phase1_i3d-inception_8xb6-64x1x1-50e_ucf101-split1-rgb.py'

model = dict(
    # InceptionI3D + I3DHead 1024 -> 51
    student=dict(cls_head=dict(num_classes=51)),
    student_ckpt='work_dirs/i3d-inception_8xb6-64x1x1-200e_hmdb51-split1-rgb/'
    'epoch_200.pth')

# HMDB51's files, as ../_base_/datasets/hmdb51_split1_video.py
data_root = '{{$HMDB51_ROOT:data/hmdb51}}'
ann_file_train = 'hmdb51_train_split_1_videos.txt'
ann_file_val = ann_file_test = 'hmdb51_val_split_1_videos.txt'
num_classes = 51
__files = dict(num_classes=num_classes, data_root=data_root)
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, **__files))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, **__files))
test_dataloader = dict(dataset=dict(ann_file=ann_file_test, **__files))
