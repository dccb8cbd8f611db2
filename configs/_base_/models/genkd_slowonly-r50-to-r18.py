# GenKD phase 2 (../methods/genkd_phase2.py) for SlowOnly-R50 (with its
# phase-1 attention and CVAE, frozen) -> SlowOnly-R18, with the paper's
# weights and optimizers:
# CVAE step Adam 1e-4 (0.8, 0.999) on CVAE + 0.01 Generative Distillation;
# network step SGD 1e-3 (momentum 0.9, wd 5e-4, constant) on the task loss +
# 0.5 * min(epoch, 20) / 20 reconstruction + 0.1 Attention Distillation.
# Dataset configs inherit this together with a dataset base.
_base_ = ['../methods/genkd_phase2.py']
max_epochs = 100
model = dict(
    student='{{ fileDirname }}/slowonly_r18_genkd.py',
    teacher='{{ fileDirname }}/slowonly_r50_genkd.py',
    # phase 1's output (genkd-phase1_slowonly-r50_..._kinetics400-rgb.py)
    teacher_ckpt='work_dirs/genkd-phase1_slowonly-r50_8xb16-8x8x1-20e_'
    'kinetics400-rgb/student_latest.pth')
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(network=dict(clip_grad=dict(max_norm=40, norm_type=2)))
param_scheduler = []  # the official network step uses a constant lr
