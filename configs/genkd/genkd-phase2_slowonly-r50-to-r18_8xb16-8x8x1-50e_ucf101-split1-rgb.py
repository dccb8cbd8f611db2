# GenKD phase 2 on UCF101 split 1 with the SlowOnly-R50 -> R18 pair: the
# Kinetics-400 recipe with UCF101's data, 8x8x1 clips and 101 classes. The
# teacher is SlowOnly-R50 fine-tuned on UCF101 from its K400 checkpoint, then
# taken through phase 1 (genkd-phase1_slowonly-r50_... with this dataset).
_base_ = [
    '../_base_/models/genkd_slowonly-r50-to-r18.py',
    '../_base_/datasets/ucf101_split1_video.py',
    '../_base_/datasets/pipelines_8x8x1.py', '../_base_/default_runtime.py'
]
max_epochs = 50
train_cfg = dict(max_epochs=max_epochs)
model = dict(
    student='{{ fileDirname }}/../_base_/models/slowonly_r18_genkd_ucf101.py',
    teacher='{{ fileDirname }}/../_base_/models/slowonly_r50_genkd_ucf101.py',
    teacher_ckpt='work_dirs/genkd-phase1_slowonly-r50_ucf101-split1/'
    'student_latest.pth')
train_dataloader = dict(batch_size=16,
                        dataset=dict(pipeline={{_base_.train_pipeline_8x8x1}}))
val_dataloader = dict(batch_size=16, dataset=dict(pipeline={{_base_.val_pipeline_8x8x1}}))
test_dataloader = dict(dataset=dict(pipeline={{_base_.val_pipeline_8x8x1}}))
