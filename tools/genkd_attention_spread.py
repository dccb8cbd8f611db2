"""How much GenKD's attention changes across the validation clips.

Prints, over every clip of the validation split: ``attention_spread`` of
``A`` (std across clips of each channel x time cell, averaged over cells),
the within-clip spread (std over channels x time, averaged over clips), and
the spread of ``A`` averaged over channels (what the pictures' bars show).

Usage:
    python tools/genkd_attention_spread.py MODEL_CONFIG CHECKPOINT \
        --data-root data/synthetic [--seed 0]

``MODEL_CONFIG`` is a recognizer config with a ``GenKDAttentionNeck`` (e.g.
``configs/_base_/models/demo_teacher_r3d18_genkd.py``); ``CHECKPOINT`` is
loaded non-strictly, so a plain teacher checkpoint measures a head freshly
initialised under ``--seed``.
"""
import argparse
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

from mmkd_video.apis.attention_pictures import DEMO_DATA
from mmkd_video.models.distillers import ModuleRecorder
from mmkd_video.models.heads import attention_spread
from mmkd_video.registry import MODELS


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    data_cfg = Config.fromfile(DEMO_DATA)
    lines = open(osp.join(args.data_root,
                          data_cfg.ann_file_val)).read().split()
    torch.manual_seed(args.seed)
    with DefaultScope.overwrite_default_scope('mmkd_video'):
        model = MODELS.build(Config.fromfile(args.config).model)
        MMLogger.get_current_instance().setLevel('WARNING')
        model.init_weights()
        load_checkpoint(model, args.checkpoint, map_location='cpu',
                        logger='silent')
        model.eval()
        pipeline = Compose(data_cfg.val_pipeline)
        recorder = ModuleRecorder(model, 'neck.attention_tap')
        atts = []
        for name, label in zip(lines[0::2], lines[1::2]):
            results = pipeline(dict(
                filename=osp.join(args.data_root, 'videos', name),
                label=int(label), start_index=0, modality='RGB'))
            data = model.data_preprocessor(
                dict(inputs=[results['inputs']],
                     data_samples=[results['data_samples']]), False)
            with torch.no_grad(), recorder.recording():
                model(data['inputs'], mode='tensor', stage='head')
            atts.append(recorder.data.float())
    att = torch.cat(atts)  # [N, C, T]
    print(f'clips {att.shape[0]}, A {list(att.shape[1:])}')
    print(f'attention_spread (across clips, per cell): '
          f'{attention_spread(att).item():.4f}')
    print(f'within-clip spread: {att.flatten(1).std(1).mean().item():.4f}')
    channel_mean = att.mean(1, keepdim=True)
    print(f'spread of the channel mean: '
          f'{attention_spread(channel_mean).item():.4f}; its per-time mean '
          f'{[round(v, 3) for v in channel_mean.mean(0)[0].tolist()]}')


if __name__ == '__main__':
    main()
