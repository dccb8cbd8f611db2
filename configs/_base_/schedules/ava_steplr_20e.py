# mmaction2's SlowOnly AVA schedule (8 GPUs x 16 clips): SGD lr 0.2,
# 5-epoch linear warm-up, x0.1 at epochs 10 and 15, 20 epochs.
_base_ = ['./epoch_loop_20e.py']
max_epochs = 20
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=5),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True,
         milestones=[10, 15], gamma=0.1)
]
auto_scale_lr = dict(enable=False, base_batch_size=128)
