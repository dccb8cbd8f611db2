# UCF101 split 1 from scratch with an I3D-style 3D ResNet-18 (every stage
# inflated), 16x2x1 clips at 224: a baseline that needs no downloaded
# weights. Runs unchanged on a generated UCF101-layout set:
#   python tools/data/generate_synthetic.py --out /tmp/ucf101 --layout ucf101
#   python tools/train.py THIS_CONFIG --cfg-options data_root=/tmp/ucf101
_base_ = [
    '../_base_/models/demo_teacher_r3d18.py',
    '../_base_/datasets/ucf101_split1_video.py',
    '../_base_/schedules/epoch_loop_20e.py', '../_base_/default_runtime.py'
]
model = dict(
    backbone=dict(base_channels=64),
    cls_head=dict(num_classes=101, in_channels=512, dropout_ratio=0.5))

train_dataloader = dict(batch_size=8)
val_dataloader = dict(batch_size=8)
max_epochs = 100
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0,
         by_epoch=True, begin=0, end=max_epochs)
]
optim_wrapper = dict(
    type='DataParallelOptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
# lr above is for 8 GPUs x 8 clips
auto_scale_lr = dict(enable=False, base_batch_size=64)
