# GenKD phase 2, Generative-based Feature Distillation, on the demo pair
# (the method's wiring and the official optimizers:
# ../_base_/methods/genkd_phase2.py).
_base_ = [
    '../_base_/methods/genkd_phase2.py', '../_base_/datasets/demo_video.py',
    '../_base_/schedules/demo_cosine_20e.py', '../_base_/default_runtime.py'
]
model = dict(
    # F_s [N, 256, 4, 2, 2], A_s [N, 256, 4]
    student='{{ fileDirname }}/../_base_/models/'
    'demo_student_r3d18_tiny_genkd.py',
    teacher='{{ fileDirname }}/../_base_/models/demo_teacher_r3d18_genkd.py',
    # phase 1's output: the teacher with its trained attention + CVAE
    teacher_ckpt='work_dirs/demo/genkd_phase1/student_latest.pth',
    # official 0.5 * min(epoch, 20) / 20 (epochs from 1) over 200; our 20
    # epochs keep the ramp at the same 10% of training: 2 epochs
    distill_losses=dict(rec=dict(schedule=dict(warmup=2))))
# official: SGD lr 1e-3, momentum 0.9, wd 5e-4 over 200 epochs; the demo
# schedule's AdamW (see _base_/schedules) for 20 epochs, and the CVAE at 1e-3
optim_wrapper = dict(
    cvae=dict(optimizer=dict(lr=1e-3)),
    network=dict(
        optimizer=dict(_delete_=True, type='AdamW', lr=2e-3,
                       weight_decay=1e-4),
        clip_grad=dict(max_norm=40, norm_type=2)))
