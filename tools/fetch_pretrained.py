"""Fetch the ImageNet initialisations our configs name, once, into
``checkpoints/imagenet/``: ``python tools/fetch_pretrained.py [NAME ...]``.

Our configs download nothing at run time: a backbone's ``pretrained=`` is a
local file. This tool downloads each file (into torch's hub cache), loads it
weights-only like every checkpoint (``mmkd_video.utils.safe_loading``),
applies the key renaming mmengine applies for that source (``mmcls://``
strips the classifier's ``backbone.`` prefix), and writes the tensors alone.
"""
import argparse
import io
import os.path as osp

import torch

import mmkd_video  # noqa: F401  (safe loaders for every scheme)
from mmengine.runner.checkpoint import CheckpointLoader

from mmkd_video.utils import write_atomically

OUT_DIR = 'checkpoints/imagenet'
SOURCES = {
    # file name: where mmaction2's recipes load it from
    'resnet18-f37072fd.pth':
    'https://download.pytorch.org/models/resnet18-f37072fd.pth',
    'resnet50-0676ba61.pth':
    'https://download.pytorch.org/models/resnet50-0676ba61.pth',
    'mobilenet_v2_batch256_imagenet_20200708-3b2dc3af.pth': 'mmcls://mobilenet_v2',
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('names', nargs='*', default=sorted(SOURCES),
                        choices=sorted(SOURCES), help='files to fetch '
                        '(default: all)')
    parser.add_argument('--out-dir', default=OUT_DIR)
    args = parser.parse_args()
    for name in args.names:
        out = osp.join(args.out_dir, name)
        if osp.isfile(out):
            print(f'{out}: present')
            continue
        ckpt = CheckpointLoader.load_checkpoint(SOURCES[name], 'cpu')
        state = ckpt.get('state_dict', ckpt)
        buffer = io.BytesIO()
        torch.save({'state_dict': dict(state)}, buffer)
        write_atomically(out, buffer.getvalue())
        print(f'{out}: written from {SOURCES[name]}')


if __name__ == '__main__':
    main()
