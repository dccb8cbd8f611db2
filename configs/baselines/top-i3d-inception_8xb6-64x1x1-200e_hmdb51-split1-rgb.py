# Top-I3D on HMDB51 split 1 at GenKD's setting, without distillation: the
# student baseline GenKD is compared with. Trained from scratch (no init_cfg,
# PyTorch's default init, as the official code) for 200 epochs with the
# official student optimizer, SGD lr 1e-3, momentum 0.9, weight decay 5e-4,
# constant; 64 consecutive frames, 224 x 224 crops, 6 clips per GPU on 8 GPUs.
#
# Data, schedule and runtime are the teacher baseline's
# (./i3d-inception_8xb6-64x1x1-200e_hmdb51-split1-rgb.py, which documents
# the pipelines and the Flip caveat of the synthetic set); the model is
# ../_base_/models/top_i3d_inception_ucf101.py with 51 classes: the
# teacher's Recognizer3D with a TopI3D backbone (2D stem and Mixed_3b to
# Mixed_4c, 3D Mixed_4d to Mixed_5c; same 1024-d Mixed_5c, same I3DHead).
#
# GenKD phase 2 (../genkd/genkd-phase2_i3d-to-top-i3d-inception_*_hmdb51-*)
# inherits this config and adds the teacher and the GenKD losses.
_base_ = './i3d-inception_8xb6-64x1x1-200e_hmdb51-split1-rgb.py'

model = dict(backbone=dict(type='TopI3D'))
