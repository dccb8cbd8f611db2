"""GenKD's per-time attention drawn over the frames of validation clips
(tools/genkd_attention_pictures.py, tools/demo.py)."""
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
from mmkd_video.registry import MODELS
from .demo_runs import REPO

DEMO_DATA = osp.join(REPO, 'configs/_base_/datasets/demo_video.py')


def attention_strip(frames: np.ndarray, att: np.ndarray, label: str,
                    scale: int = 2) -> np.ndarray:
    """frames [T_in, H, W, 3] RGB uint8, att [T] in (0, 1) -> BGR image."""
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
        tiles.append(np.concatenate([tile, bar], 0))
    strip = np.concatenate(tiles, 1)
    title = np.full((16, strip.shape[1], 3), 255, np.uint8)
    cv2.putText(title, label, (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4,
                (0, 0, 0), 1)
    return np.concatenate([title, strip], 0)


def write_attention_pictures(model_config: str, checkpoint: str,
                             data_root: str, out_dir: str,
                             num: int = 6) -> list:
    """Write one PNG per clip plus ``attention_grid.png``; return paths."""
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
        strips, paths = [], []
        for name, label in entries:
            results = pipeline(dict(
                filename=osp.join(data_root, 'videos', name),
                label=int(label), start_index=0, modality='RGB'))
            data = model.data_preprocessor(
                dict(inputs=[results['inputs']],
                     data_samples=[results['data_samples']]), False)
            with torch.no_grad(), recorder.recording():
                scores = model(data['inputs'], mode='tensor', stage='head')
            att = recorder.data[0].mean(0).numpy()  # [T]
            frames = results['inputs'][0].permute(1, 2, 3, 0).numpy()
            pred = int(scores.argmax(-1)[0])
            strip = attention_strip(
                frames.astype(np.uint8), att,
                f'{osp.basename(name)}  label {label}  pred {pred}')
            path = osp.join(out_dir, osp.splitext(osp.basename(name))[0]
                            + '_attention.png')
            cv2.imwrite(path, strip)
            strips.append(strip)
            paths.append(path)
    width = max(s.shape[1] for s in strips)
    grid = np.concatenate([np.pad(s, ((0, 4), (0, width - s.shape[1]),
                                      (0, 0)), constant_values=255)
                           for s in strips], 0)
    grid_path = osp.join(out_dir, 'attention_grid.png')
    cv2.imwrite(grid_path, grid)
    return paths + [grid_path]
