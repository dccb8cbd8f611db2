# slowonly_r50_genkd.py with UCF101's 101 classes.
_base_ = './slowonly_r50_genkd.py'
model = dict(cls_head=dict(num_classes=101))
