# mmaction2's SlowOnly AVA schedule (./ava_steplr_20e.py) with its optimizer,
# SGD lr 0.2 (8 GPUs x 16 clips). Distillers with one optimizer per group
# inherit ./ava_steplr_20e.py and set optim_wrapper themselves.
_base_ = ['./ava_steplr_20e.py']
optim_wrapper = dict(
    type='DataParallelOptimWrapper',
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-5),
    clip_grad=dict(max_norm=40, norm_type=2))
