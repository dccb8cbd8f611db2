"""Synthetic AVA: spatio-temporal action detection in AVA's own file formats.

Each "movie" shows several actors (textured sprites from
:mod:`mmkd_video.datasets.synthetic`) on a low-contrast background. Every
second, half-way between keyframes, an actor draws a new set of actions
(held for the second around the next keyframe), any combination of

* ``move left`` / ``move right`` (at most one of the two),
* ``rotate`` (spins),
* ``grow`` (its size rises by 60% over the second),
* ``blink`` (its opacity toggles every 4 frames),

with at least one action per actor and keyframe, so labels are multi-label
and only visible over time. The files are exactly what mmaction2's
``AVADataset`` and ``AVAMetric`` read, under mmaction2's standard
``data/ava`` layout (``root`` = ``out_dir``)::

    root/rawframes/<video_id>/img_00001.jpg ...          (30 fps)
    root/annotations/ava_{train,val}_v2.2.csv
        video_id,timestamp,x1,y1,x2,y2,action_id,person_id   (normalised)
    root/annotations/ava_{train,val}_excluded_timestamps_v2.2.csv
    root/annotations/ava_action_list_v2.2_for_activitynet_2019.pbtxt
    root/annotations/ava_dense_proposals_{train,val}.FAIR.recall_93.9.pkl
        {'video_id,timestamp': float array [n, 5] (x1, y1, x2, y2, score)}

Keyframes are once per second, ``keyframes=(first, last)`` inclusive (AVA:
902-1798). Frame 1 of a movie is second ``first - 2`` and the movie ends at
second ``last + 2``, as AVA's frames span 900-1800 s around keyframes
902-1798; configs pass these as the dataset's ``timestamp_start`` /
``timestamp_end`` (returned by :func:`generate_ava_dataset`).

Proposals mimic a person detector: every actor's box with coordinate jitter
and a high score, plus false positives (mostly below AVADataset's 0.9 score
threshold, some above it). Everything is deterministic given ``seed``.
"""
import os
import os.path as osp
import pickle
from typing import Dict, List, Sequence, Tuple

import numpy as np

from .synthetic import _paste, _sprite, sample_appearance, write_rawframes

AVA_ACTIONS: Tuple[str, ...] = ('move left', 'move right', 'rotate', 'grow',
                                'blink')
AVA_FPS = 30
ANNOTATION_FILES = dict(
    ann_file_train='ava_train_v2.2.csv',
    ann_file_val='ava_val_v2.2.csv',
    exclude_file_train='ava_train_excluded_timestamps_v2.2.csv',
    exclude_file_val='ava_val_excluded_timestamps_v2.2.csv',
    label_file='ava_action_list_v2.2_for_activitynet_2019.pbtxt',
    proposal_file_train='ava_dense_proposals_train.FAIR.recall_93.9.pkl',
    proposal_file_val='ava_dense_proposals_val.FAIR.recall_93.9.pkl')

_MOVE = {1: -1., 2: 1.}  # action id -> horizontal direction
_SPEED = 0.01  # horizontal speed, frame sides per frame (0.3 per second)
_SPIN = 12.  # degrees per frame
_GROWTH = 0.6  # relative size gain over one second
_BLINK_PERIOD = 4  # frames on, frames off


def label_map_text(actions: Sequence[str] = AVA_ACTIONS) -> str:
    """AVA's ``.pbtxt`` label map (ids from 1), as mmaction2 parses it."""
    return ''.join(f'item {{\n  name: "{name}"\n  id: {i}\n}}\n'
                   for i, name in enumerate(actions, start=1))


def _draw_actions(rng: np.random.Generator, cx: float, radius: float,
                  size: int) -> List[int]:
    """One second of actions for an actor at ``cx`` (ids from 1)."""
    actions = []
    travel = _SPEED * size * AVA_FPS
    feasible = [a for a, d in _MOVE.items()
                if radius <= cx + d * travel <= size - radius]
    if feasible and rng.uniform() < 0.6:
        actions.append(int(rng.choice(feasible)))
    for action, prob in ((3, 0.4), (4, 0.3), (5, 0.3)):
        if rng.uniform() < prob:
            actions.append(action)
    if not actions:
        actions.append(int(rng.choice([3, 4, 5])))
    return sorted(actions)


def render_ava_movie(rng: np.random.Generator, num_seconds: int,
                     num_actors: int, size: int
                     ) -> Tuple[np.ndarray, List[List[dict]]]:
    """Render one movie and its per-second actor states.

    Args:
        rng (np.random.Generator): Source of randomness.
        num_seconds (int): Length in seconds (``num_seconds * 30`` frames).
        num_actors (int): Actors in the movie.
        size (int): Frame side in pixels.

    Returns:
        tuple: ``frames`` ``(num_seconds * 30, size, size, 3)`` uint8 RGB and
        ``seconds[s][a]``: actor ``a`` at the keyframe of second ``s``
        (frame ``30 * s``, 0-based, where mmaction2's ``SampleAVAFrames``
        centres the clip) as ``dict(box=(x1, y1, x2, y2) normalised,
        actions=[ids])``. Actions change half-way between keyframes.
    """
    appearance = sample_appearance(rng, size)
    actors = []
    for _ in range(num_actors):
        diameter = rng.uniform(0.2, 0.28) * size
        radius = diameter * (1 + _GROWTH) / 2 + 1
        actors.append(dict(
            sprite=_sprite(rng, appearance['light_background']),
            base=diameter, radius=radius,
            cx=rng.uniform(radius, size - radius),
            cy=rng.uniform(radius, size - radius),
            angle=rng.uniform(0, 360)))
    num_frames = num_seconds * AVA_FPS
    frames = np.empty((num_frames, size, size, 3), np.uint8)
    seconds: List[List[dict]] = []
    noise_sigma = rng.uniform(1., 3.)
    for f in range(num_frames):
        # Steps f-1 -> f use the actions of the nearest keyframe: frames
        # 30k-14 .. 30k+15 (15 steps each side of keyframe frame 30k).
        phase = (f + AVA_FPS // 2 - 1) % AVA_FPS
        if phase == 0 or f == 0:
            for actor in actors:
                actor['actions'] = _draw_actions(rng, actor['cx'],
                                                 actor['radius'], size)
        frame = appearance['background'].copy()
        states = []
        for actor in actors:
            acts = actor['actions']
            for action, direction in _MOVE.items():
                if action in acts:
                    actor['cx'] += direction * _SPEED * size
            if 3 in acts:
                actor['angle'] += _SPIN
            grow = 1 + _GROWTH * phase / AVA_FPS if 4 in acts else 1.
            diameter = actor['base'] * grow
            alpha = 0.2 if 5 in acts and (f // _BLINK_PERIOD) % 2 else 1.
            _paste(frame, actor['sprite'], actor['cx'], actor['cy'],
                   diameter, actor['angle'], alpha)
            half = diameter / 2
            box = np.clip([actor['cx'] - half, actor['cy'] - half,
                           actor['cx'] + half, actor['cy'] + half], 0,
                          size) / size
            states.append(dict(box=tuple(float(v) for v in box),
                               actions=list(acts)))
        if f % AVA_FPS == 0:
            seconds.append(states)
        frame += rng.normal(0., noise_sigma, size=frame.shape).astype(
            np.float32)
        frames[f] = np.clip(np.rint(frame), 0, 255).astype(np.uint8)
    return frames, seconds


def person_proposals(rng: np.random.Generator, boxes: np.ndarray,
                     jitter: float = 0.05,
                     false_positives: float = 1.0) -> np.ndarray:
    """Detector-like proposals around ground-truth ``boxes``.

    Args:
        rng (np.random.Generator): Source of randomness.
        boxes (np.ndarray): ``[n, 4]`` normalised ground-truth boxes.
        jitter (float): Std of the coordinate noise, relative to box size.
        false_positives (float): Mean number of false positives (Poisson);
            70% score in [0.05, 0.85), below AVADataset's default 0.9
            threshold, 30% in [0.9, 0.97).

    Returns:
        np.ndarray: ``[m, 5]`` float32 (x1, y1, x2, y2, score), clipped to
        [0, 1], sorted by descending score.
    """
    rows = []
    for box in boxes:
        wh = np.array([box[2] - box[0], box[3] - box[1]] * 2)
        noisy = box + rng.normal(0., jitter, size=4) * wh
        rows.append([*noisy, rng.uniform(0.92, 1.0)])
    for _ in range(rng.poisson(false_positives)):
        w, h = rng.uniform(0.15, 0.35, size=2)
        x1, y1 = rng.uniform(0, 1 - w), rng.uniform(0, 1 - h)
        score = (rng.uniform(0.9, 0.97) if rng.uniform() < 0.3 else
                 rng.uniform(0.05, 0.85))
        rows.append([x1, y1, x1 + w, y1 + h, score])
    out = np.asarray(rows, np.float32)
    out[:, :4] = np.clip(out[:, :4], 0., 1.)
    return out[np.argsort(-out[:, 4], kind='stable')]


def _write(path: str, text: str) -> str:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write(text)
    return path


def generate_ava_dataset(out_dir: str,
                         num_train_videos: int = 6,
                         num_val_videos: int = 2,
                         keyframes: Tuple[int, int] = (902, 1798),
                         actors: Tuple[int, int] = (2, 3),
                         size: int = 96,
                         excluded_per_video: int = 1,
                         seed: int = 0) -> Dict[str, object]:
    """Write a synthetic AVA set (see the module docstring for the layout).

    Args:
        out_dir (str): Output folder, mmaction2's ``data/ava``.
        num_train_videos (int): Training movies. Defaults to 6.
        num_val_videos (int): Validation movies. Defaults to 2.
        keyframes (tuple[int, int]): First and last keyframe timestamp in
            seconds, inclusive. Defaults to AVA's (902, 1798); demos use a
            few seconds, e.g. (902, 909).
        actors (tuple[int, int]): Min and max actors per movie.
        size (int): Frame side in pixels. Defaults to 96.
        excluded_per_video (int): Keyframes per movie listed in the
            excluded-timestamps CSV and, as in AVA, left out of the
            annotation CSV (their proposals stay). Defaults to 1.
        seed (int): Seed; the same seed gives the same files.

    Returns:
        dict: ``data_root`` (the rawframes folder), ``anno_root``, every
        annotation path of :data:`ANNOTATION_FILES` (absolute),
        ``timestamp_start``/``timestamp_end`` (for the dataset config),
        ``num_classes`` (actions + 1, mmaction2's convention),
        ``video_ids_train``/``video_ids_val``, ``num_keyframes_train``/
        ``num_keyframes_val`` (after exclusion).
    """
    first, last = keyframes
    if not 0 < first <= last:
        raise ValueError(f'keyframes must be (first, last) with 0 < first '
                         f'<= last, but got {keyframes}')
    low, high = actors
    if not 1 <= low <= high:
        raise ValueError(f'actors must be (min, max) with 1 <= min <= max, '
                         f'but got {actors}')
    if num_train_videos < 1 or num_val_videos < 1:
        raise ValueError('num_train_videos and num_val_videos must be >= 1, '
                         f'but got {num_train_videos}, {num_val_videos}')
    num_kf = last - first + 1
    if not 0 <= excluded_per_video < num_kf:
        raise ValueError(f'excluded_per_video must be in [0, {num_kf}), but '
                         f'got {excluded_per_video}')
    out_dir = osp.abspath(out_dir)
    frame_root = osp.join(out_dir, 'rawframes')
    anno_root = osp.join(out_dir, 'annotations')
    start = first - 2  # second of frame 1
    num_seconds = last + 2 - start
    info: Dict[str, object] = dict(
        data_root=frame_root, anno_root=anno_root, timestamp_start=start,
        timestamp_end=last + 2, num_classes=len(AVA_ACTIONS) + 1,
        fps=AVA_FPS)
    for key, name in ANNOTATION_FILES.items():
        info[key] = osp.join(anno_root, name)
    _write(info['label_file'], label_map_text())
    for split, count in (('train', num_train_videos),
                         ('val', num_val_videos)):
        rows, excluded, proposals, ids = [], [], {}, []
        for v in range(count):
            video_id = f'syn{split}{v:03d}'
            ids.append(video_id)
            rng = np.random.default_rng([seed, 0 if split == 'train' else 1,
                                         v])
            frames, seconds = render_ava_movie(
                rng, num_seconds, int(rng.integers(low, high + 1)), size)
            write_rawframes(osp.join(frame_root, video_id), frames)
            skipped = set(rng.choice(np.arange(first, last + 1),
                                     excluded_per_video, replace=False)
                          .tolist())
            for ts in range(first, last + 1):
                key = f'{video_id},{ts:04d}'
                states = seconds[ts - start]
                gt = np.array([[float(f'{c:.3f}') for c in s['box']]
                               for s in states])
                proposals[key] = person_proposals(rng, gt)
                if ts in skipped:
                    # as in AVA: listed as excluded, not annotated (AVAMetric
                    # counts every CSV row towards recall)
                    excluded.append(key)
                    continue
                for person, state in enumerate(states):
                    box = ','.join(f'{c:.3f}' for c in state['box'])
                    rows += [f'{key},{box},{a},{person}'
                             for a in state['actions']]
        _write(info[f'ann_file_{split}'], ''.join(r + '\n' for r in rows))
        _write(info[f'exclude_file_{split}'],
               ''.join(k + '\n' for k in excluded))
        with open(info[f'proposal_file_{split}'], 'wb') as f:
            pickle.dump(proposals, f, protocol=4)
        info[f'video_ids_{split}'] = ids
        info[f'num_keyframes_{split}'] = count * num_kf - len(excluded)
    return info
