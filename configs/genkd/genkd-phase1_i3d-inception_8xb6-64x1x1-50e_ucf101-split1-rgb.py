# GenKD phase 1, Feature Representation, at the paper's setting on UCF101
# split 1 (not in the official release; see README "GenKD").
# The fine-tuned I3D teacher, backbone frozen, learns its attention neck
# through its classification loss on F ⊙ A (rescaled) and its CVAE through
# the CVAE loss on its own Mixed_5c feature; two optimizers alternate every
# iteration. Same wiring as the demo
# (./genkd-phase1_r3d18-w32_1xb8-8x2x1-6e_synthetic-rgb.py) at full size:
# F = Mixed_5c [N, 1024, 8, 7, 7], A [N, 1024, 8].
#
# Input: the I3D baseline's checkpoint, produced by
#   python tools/train.py \
#       configs/baselines/i3d-inception_8xb6-64x1x1-200e_ucf101-split1-rgb.py
# (`student_ckpt` below; the new neck keeps its init, loaded non-strictly).
# Output for phase 2: work_dirs/genkd-phase1_i3d-inception_8xb6-64x1x1-50e_
# ucf101-split1-rgb/student_latest.pth (the teacher with its trained neck).
#
# Data (64 x 1 x 1 clips, 224 crops, 8 x 6 clips per step), runtime and
# validation are the I3D baseline's, inherited below.
_base_ = '../baselines/i3d-inception_8xb6-64x1x1-200e_ucf101-split1-rgb.py'

max_epochs = 50
train_cfg = dict(max_epochs=max_epochs)

model = dict(
    _delete_=True,
    type='VideoDistiller',
    # the baseline's Recognizer3D (InceptionI3D + I3DHead 1024 -> 101) with
    # GenKD's attention and CVAE as its neck; the official kernels span the
    # whole 7 x 7 map (no pool_size)
    student=dict(
        _base_.model,
        neck=dict(
            type='GenKDAttentionNeck',
            in_channels=1024,
            num_frames=8,  # 64 frames / 8
            feat_size=7)),  # 224 / 32
    student_ckpt='work_dirs/i3d-inception_8xb6-64x1x1-200e_ucf101-split1-rgb/'
    'epoch_200.pth',  # the trained teacher (or its best_acc_top1_* file)
    frozen_modules=['student.backbone'],
    student_recorders=dict(
        feat=dict(module='neck.feature_tap'),  # F [N, 1024, 8, 7, 7]
        att=dict(module='neck.attention_tap')),  # A [N, 1024, 8]
    derived=dict(
        cvae=dict(module='student.neck.head',
                  inputs=dict(feat='student.feat', att='student.att'))),
    distill_losses=dict(
        cvae=dict(type='CVAELoss', kl_weight=0.1,
                  inputs=dict(recon='cvae.recon', target='student.feat',
                              mu='cvae.mu', logvar='cvae.logvar',
                              prior_mean='cvae.prior_mean'))),
    train_steps=[
        dict(optim_wrapper='cvae', losses=['cvae']),
        dict(optim_wrapper='network', losses=[], task_loss=True),
    ])

optim_wrapper = dict(
    _delete_=True,
    constructor='DistillerOptimWrapperConstructor',
    # the official CVAE optimizer
    cvae=dict(type='DataParallelOptimWrapper',
              modules=['student.neck.head.cvae'],
              optimizer=dict(type='Adam', lr=1e-4, betas=(0.8, 0.999))),
    # the official network optimizer (the frozen backbone has no parameter
    # to train; the attention and the classifier learn)
    network=dict(
        type='DataParallelOptimWrapper',
        modules=['student.neck.head.attention_branch', 'student.cls_head'],
        optimizer=dict(type='SGD', lr=1e-3, momentum=0.9,
                       weight_decay=5e-4)))
param_scheduler = None  # constant learning rates
custom_hooks = [dict(type='StudentExportHook')]
