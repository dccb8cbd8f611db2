# Short CPU schedule for the generated demo set (./demo_cosine_20e.py) with
# AdamW: from-scratch 3D CNNs learn this data markedly faster with AdamW than
# with SGD (measured: R3D-18 w32 teacher, 20 epochs, 60% vs 45% val top-1).
# Distillers with one optimizer per group inherit ./demo_cosine_20e.py and
# set optim_wrapper themselves.
_base_ = ['./demo_cosine_20e.py']
optim_wrapper = dict(
    type='DataParallelOptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=40, norm_type=2))
