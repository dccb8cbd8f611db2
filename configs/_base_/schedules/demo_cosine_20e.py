# Short CPU schedule for the generated demo set: loops, a 1-epoch warm-up
# and cosine decay over 20 epochs; the optimizer is in
# ./demo_adamw_cosine_20e.py.
_base_ = ['./epoch_loop_20e.py']
max_epochs = 20

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0,
         by_epoch=True, begin=0, end=max_epochs)
]
auto_scale_lr = dict(enable=False, base_batch_size=8)
