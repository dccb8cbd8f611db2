# GenKD student for the SlowOnly-R50 teacher: the same SlowOnly layout at
# depth 18 (2D stem and early stages, 3D last two stages; 8 frames in and
# out), its 512-channel last stage projected to the teacher's 2048 so the
# attention and the teacher's CVAE share one channel layout.
_base_ = './slowonly_r50_genkd.py'
model = dict(
    backbone=dict(
        depth=18,
        # ImageNet ResNet-18 inflated, as mmaction2 does for its R50; a
        # local file (tools/fetch_pretrained.py), nothing downloaded
        pretrained='checkpoints/imagenet/resnet18-f37072fd.pth'),
    neck=dict(in_channels=512, channels=2048),
    cls_head=dict(in_channels=2048))
