# StructKD Pi + pair-wise: the affinity graph between max-pooled nodes of the
# last stage, over T x H x W (channel counts differ: 64 vs 256, the graph is
# nodes x nodes). Weight 0.5 = the official run script (argparse default 1.0,
# paper text 10).
_base_ = ['./structkd-pi_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py']
model = dict(
    distill_losses=dict(
        pa=dict(type='PairWiseDistillLoss', pool_scale=0.5,
                temporal_pool_scale=0.5, loss_weight=0.5,
                inputs=dict(feat_S='student.feat', feat_T='teacher.feat'))))
