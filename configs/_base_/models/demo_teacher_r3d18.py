# Demo teacher: an I3D-style 3D ResNet-18 (every stage inflated) at half
# width, sized to learn the generated motion classes on CPU in minutes.
_base_ = './recognizer3d.py'
model = dict(
    backbone=dict(
        type='ResNet3d',
        depth=18,
        pretrained=None,
        pretrained2d=False,
        base_channels=32,
        conv1_kernel=(3, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(1, 1, 1, 1),
        norm_eval=False),
    cls_head=dict(
        num_classes=10,
        in_channels=256,
        dropout_ratio=0.3,
        init_std=0.01))
