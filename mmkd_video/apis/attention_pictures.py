"""GenKD's per-time attention drawn over the frames of validation clips
(tools/genkd_attention_pictures.py, tools/demo.py).

``A`` is channel x time. Its mean over channels (the bars) is nearly the
same for every clip by construction: the GroupNorm before the attention's
shared ``Linear(L -> T)`` fixes the channel-mean level, so the bars alone
showed the same values under every clip (0.30 0.30 0.34 0.34 0.62 ...)
whatever the attention did per channel. Each strip therefore also draws, as
a heat map, the channels whose attention changes most across the drawn
clips, and the grid's title gives :func:`attention_spread` over them.
"""
import os
import os.path as osp

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint

from mmkd_video.models.distillers import ModuleRecorder
from mmkd_video.models.heads import attention_spread
from mmkd_video.registry import MODELS
from .demo_runs import REPO

DEMO_DATA = osp.join(REPO, 'configs/_base_/datasets/demo_video.py')


def attention_strip(frames: np.ndarray, att: np.ndarray, label: str,
                    scale: int = 2,
                    channel_att: np.ndarray = None) -> np.ndarray:
    """frames [T_in, H, W, 3] RGB uint8, att [T] in (0, 1) -> BGR image.

    ``channel_att`` [K, T] in (0, 1), optional: a heat map under the bars,
    one row per channel (white 0, red 1).
    """
    t_in, h, w, _ = frames.shape
    per_step = max(1, t_in // len(att))
    bar_h = 24
    tiles = []
    for i, frame in enumerate(frames):
        tile = cv2.resize(frame[..., ::-1], (w * scale, h * scale),
                          interpolation=cv2.INTER_NEAREST)
        strength = float(att[min(i // per_step, len(att) - 1)])
        bar = np.full((bar_h, w * scale, 3), 255, np.uint8)
        filled = int(round(strength * (bar_h - 2)))
        bar[bar_h - 1 - filled:bar_h - 1, 2:-2] = (40, 40, 220)
        cv2.putText(bar, f'{strength:.2f}', (2, 10),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.3, (0, 0, 0), 1)
        parts = [tile, bar]
        if channel_att is not None:
            t = min(i // per_step, channel_att.shape[1] - 1)
            heat = np.repeat(channel_att[:, t:t + 1], w * scale, 1)  # [K, W]
            heat = np.repeat(heat, 4, 0)  # 4 pixel rows a channel
            heat = (255 * (1 - heat)).astype(np.uint8)
            parts.append(np.stack([heat, heat, np.full_like(heat, 255)], -1))
        tiles.append(np.concatenate(parts, 0))
    strip = np.concatenate(tiles, 1)
    title = np.full((16, strip.shape[1], 3), 255, np.uint8)
    cv2.putText(title, label, (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                (0, 0, 0), 1)
    return np.concatenate([title, strip], 0)


def write_attention_pictures(model_config: str, checkpoint: str,
                             data_root: str, out_dir: str,
                             num: int = 6, num_channels: int = 8) -> list:
    """Write one PNG per clip plus ``attention_grid.png``; return paths.

    Under each frame: a bar, the attention averaged over channels, and a
    heat map of the ``num_channels`` channels whose attention varies most
    across the drawn clips. The grid's title gives the spread of both
    across the clips (:func:`attention_spread`).
    """
    data_cfg = Config.fromfile(DEMO_DATA)
    lines = open(osp.join(data_root, data_cfg.ann_file_val)).read().split()
    entries = list(zip(lines[0::2], lines[1::2]))
    step = max(1, len(entries) // num)
    entries = entries[::step][:num]
    with DefaultScope.overwrite_default_scope('mmkd_video'):
        model = MODELS.build(Config.fromfile(model_config).model)
        load_checkpoint(model, checkpoint, map_location='cpu',
                        logger='silent')
        model.eval()
        recorder = ModuleRecorder(model, 'neck.attention_tap')
        pipeline = Compose(data_cfg.val_pipeline)
        os.makedirs(out_dir, exist_ok=True)
        clips = []
        for name, label in entries:
            results = pipeline(dict(
                filename=osp.join(data_root, 'videos', name),
                label=int(label), start_index=0, modality='RGB'))
            data = model.data_preprocessor(
                dict(inputs=[results['inputs']],
                     data_samples=[results['data_samples']]), False)
            with torch.no_grad(), recorder.recording():
                scores = model(data['inputs'], mode='tensor', stage='head')
            clips.append((name, label, results, recorder.data[0].float(),
                          int(scores.argmax(-1)[0])))
    att_all = torch.stack([c[3] for c in clips])  # [num, C, T]
    # the channels whose attention changes most across these clips
    top = att_all.std(0).mean(1).argsort(descending=True)[:num_channels]
    strips, paths = [], []
    for name, label, results, att, pred in clips:
        frames = results['inputs'][0].permute(1, 2, 3, 0).numpy()
        strip = attention_strip(
            frames.astype(np.uint8), att.mean(0).numpy(),
            f'{osp.basename(name)}  label {label}  pred {pred}',
            channel_att=att[top].numpy())
        path = osp.join(out_dir, osp.splitext(osp.basename(name))[0]
                        + '_attention.png')
        cv2.imwrite(path, strip)
        strips.append(strip)
        paths.append(path)
    width = max(s.shape[1] for s in strips)
    header = np.full((32, width, 3), 255, np.uint8)
    spread = attention_spread(att_all).item() if len(clips) > 1 else 0.0
    spread_mean = attention_spread(att_all.mean(1, keepdim=True)).item() \
        if len(clips) > 1 else 0.0
    cv2.putText(header, f'bars: A averaged over channels (spread across '
                f'clips {spread_mean:.3f})', (2, 12),
                cv2.FONT_HERSHEY_SIMPLEX, 0.35, (0, 0, 0), 1)
    cv2.putText(header, f'heat map: the {len(top)} channels varying most '
                f'(spread of A[c, t] across clips {spread:.3f})', (2, 26),
                cv2.FONT_HERSHEY_SIMPLEX, 0.35, (0, 0, 0), 1)
    grid = np.concatenate([header] + [
        np.pad(s, ((0, 4), (0, width - s.shape[1]), (0, 0)),
               constant_values=255) for s in strips], 0)
    grid_path = osp.join(out_dir, 'attention_grid.png')
    cv2.imwrite(grid_path, grid)
    return paths + [grid_path]
