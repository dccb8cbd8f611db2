# slowonly_r18_genkd.py with UCF101's 101 classes.
_base_ = './slowonly_r18_genkd.py'
model = dict(cls_head=dict(num_classes=101))
