# GenKD phase 2 on Kinetics-400: SlowOnly-R50 -> SlowOnly-R18 (see the base
# for the method's wiring and the paper's weights).
_base_ = [
    '../_base_/models/genkd_slowonly-r50-to-r18.py',
    '../_base_/datasets/kinetics400_video.py',
    '../_base_/datasets/pipelines_8x8x1.py', '../_base_/default_runtime.py'
]
model = dict(
    # phase 1's output (genkd-phase1_slowonly-r50_..._kinetics400-rgb.py)
    teacher_ckpt='work_dirs/genkd-phase1_slowonly-r50_8xb16-8x8x1-20e_'
    'kinetics400-rgb/student_latest.pth')
train_dataloader = dict(batch_size=16,
                        dataset=dict(pipeline={{_base_.train_pipeline_8x8x1}}))
val_dataloader = dict(batch_size=16, dataset=dict(pipeline={{_base_.val_pipeline_8x8x1}}))
test_dataloader = dict(dataset=dict(pipeline={{_base_.val_pipeline_8x8x1}}))
