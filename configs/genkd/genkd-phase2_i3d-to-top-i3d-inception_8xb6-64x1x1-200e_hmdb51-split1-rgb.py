# GenKD phase 2, Generative-based Feature Distillation, at the paper's
# setting on HMDB51 split 1: the I3D teacher (with phase 1's attention and
# CVAE) into a Top-I3D student trained from scratch for 200 epochs.
# Two optimizers alternate every iteration (the official code alternates
# whole epochs; per-iteration alternation gives both the same data order and
# is what MMEngine's loop does naturally):
#   1. student CVAE (network frozen), Adam lr 1e-4, betas (0.8, 0.999):
#      CVAE loss + Generative Distillation MSE(CVAE_s(F_s, A_s),
#      CVAE_t(F_s, A_s)) with the frozen teacher CVAE;
#   2. student network (CVAE frozen), SGD lr 1e-3, momentum 0.9, wd 5e-4,
#      constant: task loss on F_s ⊙ A_s + reconstruction MSE(Dec_s(A_s +
#      eps, A_s), F_s) ramped as 0.5 * min(epoch, 20) / 20 + Attention
#      Distillation MSE(A_s, A_t).
# The UCF101 config (./genkd-phase2_i3d-to-top-i3d-inception_8xb6-64x1x1-
# 200e_ucf101-split1-rgb.py, which holds the wiring) with HMDB51's files, a
# 51-way head and its teacher; same wiring as the demo
# (./genkd-phase2_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py); student
# and teacher both give Mixed_5c [N, 1024, 8, 7, 7], so the student's neck
# needs no projection.
#
# Input: phase 1's output (`teacher_ckpt` below), produced by
#   python tools/train.py configs/genkd/genkd-phase1_i3d-inception_8xb6-
#       64x1x1-50e_hmdb51-split1-rgb.py
# Output: student_latest.pth / student_best.pth in the work dir, a plain
# Recognizer3D (TopI3D + GenKDAttentionNeck + I3DHead).
_base_ = ('./genkd-phase2_i3d-to-top-i3d-inception_8xb6-64x1x1-200e_'
          'ucf101-split1-rgb.py')

model = dict(
    # TopI3D / InceptionI3D + I3DHead 1024 -> 51
    student=dict(cls_head=dict(num_classes=51)),
    teacher=dict(cls_head=dict(num_classes=51)),
    teacher_ckpt='work_dirs/genkd-phase1_i3d-inception_8xb6-64x1x1-50e_'
    'hmdb51-split1-rgb/student_latest.pth')

# HMDB51's files, as ../_base_/datasets/hmdb51_split1_video.py
data_root = '{{$HMDB51_ROOT:data/hmdb51}}'
ann_file_train = 'hmdb51_train_split_1_videos.txt'
ann_file_val = ann_file_test = 'hmdb51_val_split_1_videos.txt'
num_classes = 51
__files = dict(num_classes=num_classes, data_root=data_root)
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, **__files))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, **__files))
test_dataloader = dict(dataset=dict(ann_file=ann_file_test, **__files))
