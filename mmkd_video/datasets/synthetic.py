"""Synthetic action videos whose classes differ only in how things move.

No real video data can be downloaded where this project runs, so it makes
its own: every clip shows the same kind of scene (a low-contrast textured
background, one large high-contrast main object with a marker dot, at most
one static, jittering distractor, sensor noise) and the class is *what the
main object does over time*: move left/right/up/down, rotate
clockwise/counter-clockwise, grow/shrink, orbit clockwise/counter-clockwise,
fade in/out. The motions are large (a third to a half of the frame, half a
turn or more, a doubling of size) and uniform over the clip, so a small 3D
CNN sees them in any 8-frame window at 64x64.

Two design rules keep a single frame from telling the class:

* Each class comes in a pair with its time reversal (left/right, grow/shrink,
  ...) and every motion is sampled as a *path* first (a segment, a size range,
  an opacity range) that is then walked in the class's direction, so the
  distribution of one frame is the same for both classes of a pair.
* Appearance never depends on the class. The scene (background, the
  distractor) is drawn per *group*, the same for every class: group ``g`` of
  class A and group ``g`` of class B share it; the main object's shape,
  texture and colours and its start position are drawn per *clip*. A model
  can only use motion, and the group-wise train/val split (as UCF101's)
  tests it on unseen scenes.

The files follow mmaction2's own layouts (UCF101, HMDB51, Kinetics-400 and
UCF101 rawframes), so its ``VideoDataset``/``RawframeDataset`` and the stock
configs read them unchanged. Everything is deterministic given ``seed``:
annotation files and frame images are byte-identical across runs.
"""
import math
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

# (class name, motion kind, direction). Order is part of the format: labels
# are indices into this tuple, and the horizontal-mirror pairs below rely on
# it. Pairs are adjacent so any even ``num_classes`` keeps pairs whole.
MOTIONS: Tuple[Tuple[str, str, int], ...] = (
    ('MoveLeft', 'translate_x', -1),
    ('MoveRight', 'translate_x', 1),
    ('MoveUp', 'translate_y', -1),
    ('MoveDown', 'translate_y', 1),
    ('RotateClockwise', 'rotate', 1),
    ('RotateCounterclockwise', 'rotate', -1),
    ('Grow', 'scale', 1),
    ('Shrink', 'scale', -1),
    ('OrbitClockwise', 'orbit', 1),
    ('OrbitCounterclockwise', 'orbit', -1),
    ('FadeIn', 'fade', 1),
    ('FadeOut', 'fade', -1),
)
MAX_CLASSES = len(MOTIONS)
# Motion kinds whose direction a horizontal flip reverses (the rest, e.g.
# up/down or grow/shrink, look the same in a mirror).
_MIRRORED_KINDS = ('translate_x', 'rotate', 'orbit')

LAYOUTS = ('ucf101', 'hmdb51', 'kinetics', 'rawframes')
# Sub-folders of ``out_dir`` for ``layout='all'``: the names mmaction2's
# configs expect under ``data/``, so ``--out data`` needs no path overrides.
# UCF101 videos and rawframes share one root, as in mmaction2's data/ucf101.
ALL_LAYOUT_DIRS = {
    'ucf101': 'ucf101',
    'rawframes': 'ucf101',
    'hmdb51': 'hmdb51',
    'kinetics': 'kinetics400',
}
DEFAULT_EXT = {'ucf101': 'avi', 'hmdb51': 'avi', 'kinetics': 'mp4'}
# FourCCs checked to write files that decord and OpenCV both decode.
FOURCC = {'avi': 'XVID', 'mp4': 'mp4v'}
RAWFRAME_TMPL = 'img_{:05}.jpg'

_SPRITE = 64  # object drawing canvas (px); warped into the frame per step
_SHAPES = ('circle', 'ellipse', 'rectangle', 'triangle')
_TEXTURES = ('solid', 'stripes', 'checker', 'noise')
_BACKGROUNDS = ('blobs', 'gradient', 'stripes', 'checker')


def class_names(num_classes: int = 10) -> List[str]:
    """Names of the first ``num_classes`` synthetic classes, by label.

    Args:
        num_classes (int): How many classes, 2 to :data:`MAX_CLASSES`.

    Returns:
        list[str]: Class names, index = 0-based label.
    """
    _check_num_classes(num_classes)
    return [name for name, _, _ in MOTIONS[:num_classes]]


def flip_label_map(num_classes: int = 10) -> Dict[int, int]:
    """Label map for mmaction2's ``Flip`` (horizontal) on this data.

    A horizontal flip turns a left move into a right move and a clockwise
    rotation or orbit into a counter-clockwise one, so the label has to swap
    with it (like Something-Something's ``flip_label_map``).

    Args:
        num_classes (int): Number of classes of the generated set.

    Returns:
        dict[int, int]: ``{label: mirrored label}`` for the classes that a
        mirror changes.

    Raises:
        ValueError: If ``num_classes`` keeps one class of a mirror pair but
            not the other: a flipped clip would then show a motion that is
            no class, so flipping cannot be label-preserving.
    """
    _check_num_classes(num_classes)
    mapping = {}
    for label in range(num_classes):
        _, kind, _ = MOTIONS[label]
        if kind not in _MIRRORED_KINDS:
            continue
        partner = label + 1 if label % 2 == 0 else label - 1
        if partner >= num_classes:
            raise ValueError(
                f'num_classes={num_classes} keeps {MOTIONS[label][0]} but not '
                f'its mirror {MOTIONS[partner][0]}; use an even num_classes '
                'or disable Flip')
        mapping[label] = partner
    return mapping


def _check_num_classes(num_classes: int) -> None:
    if not 2 <= num_classes <= MAX_CLASSES:
        raise ValueError(
            f'num_classes must be in [2, {MAX_CLASSES}], got {num_classes}')


# --------------------------------------------------------------------------
# Appearance (scene per group, object per clip) and motion (per clip)
# --------------------------------------------------------------------------
# Channel ranges of dark and light colours: a background is drawn from one,
# the objects on it from the other, so they always differ by >= 55 per
# channel (a clear luminance contrast) whatever the hues.
_DARK, _LIGHT = (0., 100.), (155., 255.)


def _band_colour(rng: np.random.Generator, light: bool) -> np.ndarray:
    low, high = _LIGHT if light else _DARK
    return rng.uniform(low, high, size=3).astype(np.float32)


def _pattern(rng: np.random.Generator, kind: str, size: int,
             colour_a: np.ndarray, colour_b: np.ndarray) -> np.ndarray:
    """A ``size x size x 3`` float32 two-colour pattern of ``kind``."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    if kind == 'solid':
        weight = np.zeros((size, size), np.float32)
    elif kind in ('stripes', 'gradient'):
        theta = rng.uniform(0, np.pi)
        proj = xx * np.cos(theta) + yy * np.sin(theta)
        if kind == 'gradient':
            weight = (proj - proj.min()) / max(float(np.ptp(proj)), 1e-6)
        else:
            freq = rng.uniform(2.5, 6.)
            weight = (np.sin(2 * np.pi * freq * proj) > 0).astype(np.float32)
    elif kind == 'checker':
        cells = int(rng.integers(3, 8))
        weight = ((np.floor(xx * cells) + np.floor(yy * cells)) % 2).astype(
            np.float32)
    elif kind in ('noise', 'blobs'):
        grid = int(rng.integers(3, 9))
        coarse = rng.uniform(0, 1, size=(grid, grid)).astype(np.float32)
        weight = cv2.resize(
            coarse, (size, size), interpolation=cv2.INTER_CUBIC)
        weight = np.clip(weight, 0, 1)
    else:
        raise ValueError(f'unknown pattern {kind!r}')
    weight = weight[..., None]
    return colour_a * (1 - weight) + colour_b * weight


def _shape_mask(rng: np.random.Generator, shape: str) -> np.ndarray:
    """Anti-aliased float mask of ``shape`` on the sprite canvas.

    Every shape fits in the circle of radius ``0.45 * _SPRITE`` around the
    centre, so any rotation of it stays on the canvas.
    """
    s = _SPRITE
    canvas = np.zeros((s, s), np.uint8)
    centre = (s / 2, s / 2)
    radius = 0.45 * s
    if shape == 'circle':
        cv2.circle(canvas, (s // 2, s // 2), int(radius), 255, -1,
                   cv2.LINE_AA)
    elif shape == 'ellipse':
        minor = radius * rng.uniform(0.55, 0.8)
        cv2.ellipse(canvas, (s // 2, s // 2), (int(radius), int(minor)), 0,
                    0, 360, 255, -1, cv2.LINE_AA)
    elif shape == 'rectangle':
        beta = rng.uniform(np.deg2rad(28), np.deg2rad(45))
        half_w, half_h = radius * np.cos(beta), radius * np.sin(beta)
        pts = np.array([[-half_w, -half_h], [half_w, -half_h],
                        [half_w, half_h], [-half_w, half_h]]) + centre
        cv2.fillPoly(canvas, [np.round(pts).astype(np.int32)], 255,
                     cv2.LINE_AA)
    elif shape == 'triangle':
        # One vertex on +x, where the marker sits; the others jittered.
        spread = rng.uniform(-15, 15)
        angles = np.deg2rad([0, 120 + spread, 240 - spread])
        pts = np.stack([np.cos(angles), np.sin(angles)], 1) * radius + centre
        cv2.fillPoly(canvas, [np.round(pts).astype(np.int32)], 255,
                     cv2.LINE_AA)
    else:
        raise ValueError(f'unknown shape {shape!r}')
    return canvas.astype(np.float32) / 255.


def _sprite(rng: np.random.Generator, light_background: bool) -> dict:
    """Texture and mask of one object, with an off-centre marker dot.

    The object is dark on a light background and light on a dark one, with
    a mild two-colour texture; the marker has the background's brightness,
    so it stands out on the object and makes rotation visible even on a
    plain circle.
    """
    shape = _SHAPES[int(rng.integers(len(_SHAPES)))]
    mask = _shape_mask(rng, shape)
    colour_a = _band_colour(rng, not light_background)
    colour_b = np.clip(colour_a + rng.uniform(-35, 35, size=3), 0,
                       255).astype(np.float32)
    texture = _pattern(rng, _TEXTURES[int(rng.integers(len(_TEXTURES)))],
                       _SPRITE, colour_a, colour_b)
    marker = tuple(float(c) for c in _band_colour(rng, light_background))
    texture = np.ascontiguousarray(texture)
    cv2.circle(texture, (int(0.68 * _SPRITE), _SPRITE // 2),
               int(0.12 * _SPRITE), marker, -1, cv2.LINE_AA)
    return dict(shape=shape, mask=mask, texture=texture)


def sample_appearance(rng: np.random.Generator, size: int) -> dict:
    """Draw the scene of one group: background and distractor.

    It never depends on the class: every class of a group shares it. The
    main object is drawn per clip by :func:`render_clip`.

    Args:
        rng (np.random.Generator): Source of randomness.
        size (int): Frame side in pixels.

    Returns:
        dict: ``background`` (HxWx3 float32 RGB), ``light_background``
        (bool: objects are drawn dark on it, else light), ``distractors``
        (a list of 0 or 1 sprites: ``mask``, ``texture``, ``shape``; they
        stay in place, jittering) and ``background_kind``.
    """
    kind = _BACKGROUNDS[int(rng.integers(len(_BACKGROUNDS)))]
    light = bool(rng.integers(2))
    colour_a = _band_colour(rng, light)
    # Low-contrast backgrounds keep the objects the salient thing.
    colour_b = np.clip(colour_a + rng.uniform(-25, 25, size=3), 0, 255)
    background = _pattern(rng, kind, size, colour_a, colour_b.astype(
        np.float32))
    distractors = [
        _sprite(rng, light) for _ in range(int(rng.integers(0, 2)))
    ]
    return dict(background=background.astype(np.float32),
                light_background=light, distractors=distractors,
                background_kind=kind)


def motion_states(label: int, rng: np.random.Generator, num_frames: int,
                  size: int) -> Dict[str, np.ndarray]:
    """Per-frame state of the main object for one clip of class ``label``.

    Each motion is drawn as a path (a segment, a size range, an angle range,
    an opacity range) that the class then walks forwards or backwards, so
    both classes of a time-reversal pair have the same per-frame marginals.

    Args:
        label (int): 0-based class label.
        rng (np.random.Generator): Source of randomness.
        num_frames (int): Frames in the clip.
        size (int): Frame side in pixels.

    Returns:
        dict[str, np.ndarray]: ``cx``, ``cy`` (centre, px), ``diameter``
        (px), ``angle`` (degrees, clockwise on screen) and ``alpha``
        (opacity), each of shape ``(num_frames, )``.
    """
    _, kind, direction = MOTIONS[label]
    t = np.linspace(0., 1., num_frames)
    forward = t if direction > 0 else 1. - t

    def walk(start, end):
        return start + (end - start) * forward

    diameter = np.full(num_frames, rng.uniform(0.26, 0.33) * size)
    alpha = np.ones(num_frames)
    # Slow rotation and drift for every class, so "the object is still" is
    # not a cue, but far below the class motion.
    angle = rng.uniform(0, 360) + rng.uniform(-10, 10) * t
    drift = rng.uniform(-0.03, 0.03, size=2) * size
    radius = diameter[0] / 2 + 1 + np.abs(drift).max()

    def position():
        return rng.uniform(radius, size - radius)

    cx = np.full(num_frames, position())
    cy = np.full(num_frames, position())
    if kind in ('translate_x', 'translate_y'):
        span = min(rng.uniform(0.45, 0.6) * size, size - 2 * radius - 1)
        start = rng.uniform(radius, size - radius - span)
        path = walk(start, start + span)
        if kind == 'translate_x':
            cx = path
        else:
            cy = path
    elif kind == 'rotate':
        turn = rng.uniform(220, 340)
        angle = angle[0] + direction * turn * t
    elif kind == 'scale':
        small = rng.uniform(0.18, 0.24) * size
        large = min(small * rng.uniform(2.0, 2.5), 0.55 * size)
        diameter = walk(small, large)
        radius = large / 2 + 1 + np.abs(drift).max()
        cx = np.full(num_frames, position())
        cy = np.full(num_frames, position())
    elif kind == 'orbit':
        orbit = rng.uniform(0.2, 0.26) * size
        reach = orbit + radius
        centre_x = rng.uniform(reach, size - reach)
        centre_y = rng.uniform(reach, size - reach)
        phase = np.deg2rad(rng.uniform(0, 360) +
                           direction * rng.uniform(270, 340) * t)
        cx = centre_x + orbit * np.cos(phase)
        cy = centre_y + orbit * np.sin(phase)
    elif kind == 'fade':
        alpha = walk(rng.uniform(0.0, 0.1), rng.uniform(0.9, 1.0))
    cx = cx + drift[0] * t
    cy = cy + drift[1] * t
    return dict(cx=cx, cy=cy, diameter=diameter, angle=angle, alpha=alpha)


def _paste(frame: np.ndarray, sprite: dict, cx: float, cy: float,
           diameter: float, angle: float, alpha: float) -> None:
    """Alpha-blend ``sprite`` into ``frame`` (in place) at the given pose."""
    size_h, size_w = frame.shape[:2]
    scale = diameter / (0.9 * _SPRITE)
    rad = np.deg2rad(angle)
    linear = scale * np.array([[np.cos(rad), -np.sin(rad)],
                               [np.sin(rad), np.cos(rad)]])
    half = np.array([_SPRITE / 2, _SPRITE / 2])
    offset = np.array([cx, cy]) - linear @ half
    matrix = np.hstack([linear, offset[:, None]]).astype(np.float64)
    mask = cv2.warpAffine(sprite['mask'], matrix, (size_w, size_h),
                          flags=cv2.INTER_LINEAR, borderValue=0)
    texture = cv2.warpAffine(sprite['texture'], matrix, (size_w, size_h),
                             flags=cv2.INTER_LINEAR, borderValue=0)
    weight = (alpha * mask)[..., None]
    frame *= 1 - weight
    frame += texture * weight


def render_clip(label: int, appearance: dict, rng: np.random.Generator,
                num_frames: int = 32,
                return_states: bool = False):
    """Render one clip of class ``label`` in the given appearance.

    Args:
        label (int): 0-based class label.
        appearance (dict): From :func:`sample_appearance`.
        rng (np.random.Generator): Source of randomness for the main object
            (shape, texture, colours), its motion, the distractor's place,
            colour jitter and noise of this clip.
        num_frames (int): Frames in the clip. Defaults to 32.
        return_states (bool): Also return the main object's per-frame state
            (see :func:`motion_states`). Defaults to False.

    Returns:
        np.ndarray | tuple: ``(num_frames, H, W, 3)`` uint8 RGB frames, and
        the states dict if ``return_states``.
    """
    size = appearance['background'].shape[0]
    main = _sprite(rng, appearance['light_background'])
    states = motion_states(label, rng, num_frames, size)
    # Clip-level jitter so the clips of a group are not copies of one look.
    gain = rng.uniform(0.9, 1.1, size=3).astype(np.float32)
    background = np.clip(appearance['background'] * gain, 0, 255)
    others = []
    for sprite in appearance['distractors']:
        # Static apart from a small random jitter: never a class motion.
        diameter = rng.uniform(0.16, 0.22) * size
        start = rng.uniform(diameter / 2, size - diameter / 2, size=2)
        shake = rng.uniform(-0.015, 0.015, size=(num_frames, 2)) * size
        spin = rng.uniform(0, 360) + rng.uniform(-4, 4, size=num_frames)
        others.append((sprite, start + shake, diameter, spin))
    noise_sigma = rng.uniform(1., 3.)
    frames = np.empty((num_frames, size, size, 3), np.uint8)
    for i in range(num_frames):
        frame = background.copy()
        for sprite, centres, diameter, spin in others:
            _paste(frame, sprite, centres[i, 0], centres[i, 1], diameter,
                   spin[i], 1.)
        _paste(frame, main, states['cx'][i], states['cy'][i],
               states['diameter'][i], states['angle'][i], states['alpha'][i])
        frame += rng.normal(0., noise_sigma, size=frame.shape).astype(
            np.float32)
        frames[i] = np.clip(np.rint(frame), 0, 255).astype(np.uint8)
    if return_states:
        return frames, states
    return frames


# --------------------------------------------------------------------------
# Clip plan: which clips exist, their groups and split
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class ClipInfo:
    """One clip of the plan.

    Args:
        label (int): 0-based class label.
        class_name (str): Class name.
        group (int): 1-based group (shared appearance, as UCF101's groups).
        clip (int): 1-based clip index inside the group.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
    """
    label: int
    class_name: str
    group: int
    clip: int
    split: str

    @property
    def stem(self) -> str:
        """UCF101-style name, e.g. ``v_MoveLeft_g01_c02``."""
        return f'v_{self.class_name}_g{self.group:02d}_c{self.clip:02d}'


def plan_clips(num_classes: int = 10, videos_per_class: int = 30,
               clips_per_group: int = 4,
               val_ratio: float = 0.3,
               test_ratio: float = 0.) -> List[ClipInfo]:
    """Lay out the clips: classes x groups x clips, split by group.

    As UCF101's split 1 (groups 1-7 test, 8-25 train), the first groups are
    validation, the next ones (with ``test_ratio``) a held-out test split,
    the rest training, so no appearance is in two splits.

    Args:
        num_classes (int): Number of classes. Defaults to 10.
        videos_per_class (int): Clips per class (>= 2). Defaults to 30.
        clips_per_group (int): Clips per group; lowered if needed so that
            there are at least two groups. Defaults to 4.
        val_ratio (float): Fraction of groups for validation, at least one
            group each side. Defaults to 0.3.
        test_ratio (float): Fraction of groups for a held-out test split
            (at least one group when > 0), used only for a final table
            whose settings were chosen on val. Defaults to 0 (no test
            split: the layouts' val lists double as test lists).

    Returns:
        list[ClipInfo]: Sorted by label, group, clip.
    """
    _check_num_classes(num_classes)
    if videos_per_class < 2:
        raise ValueError('videos_per_class must be >= 2 (train and val need '
                         f'one group each), got {videos_per_class}')
    if not 0. < val_ratio < 1.:
        raise ValueError(f'val_ratio must be in (0, 1), got {val_ratio}')
    if not 0. <= test_ratio < 1. - val_ratio:
        raise ValueError('test_ratio must be in [0, 1 - val_ratio), got '
                         f'{test_ratio} with val_ratio {val_ratio}')
    per_group = max(1, min(clips_per_group, videos_per_class // 2))
    num_groups = math.ceil(videos_per_class / per_group)
    num_val = min(max(1, round(num_groups * val_ratio)), num_groups - 1)
    num_test = 0 if test_ratio == 0 else max(1, round(num_groups *
                                                      test_ratio))
    if num_val + num_test >= num_groups:
        raise ValueError(
            f'{num_groups} groups per class cannot hold {num_val} val and '
            f'{num_test} test groups and leave one for training; raise '
            'videos_per_class or lower val_ratio/test_ratio')
    names = class_names(num_classes)
    plan = []
    for label, name in enumerate(names):
        for k in range(videos_per_class):
            group = k // per_group + 1
            split = ('val' if group <= num_val else
                     'test' if group <= num_val + num_test else 'train')
            plan.append(
                ClipInfo(label, name, group, k % per_group + 1, split))
    return plan


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------
def write_video(path: str, frames: np.ndarray, fps: float = 25.) -> None:
    """Encode RGB ``frames`` to ``path`` with OpenCV.

    ``.avi`` uses XVID (like UCF101's files), ``.mp4`` uses mp4v; both were
    checked to decode with decord and OpenCV to the same frame count.

    Args:
        path (str): Output file, ``.avi`` or ``.mp4``.
        frames (np.ndarray): ``(T, H, W, 3)`` uint8 RGB.
        fps (float): Frame rate stored in the file. Defaults to 25.
    """
    ext = osp.splitext(path)[1].lstrip('.').lower()
    if ext not in FOURCC:
        raise ValueError(f'unsupported video extension {ext!r} of {path}; '
                         f'use one of {sorted(FOURCC)}')
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*FOURCC[ext]), fps,
                             (width, height))
    if not writer.isOpened():
        raise RuntimeError(
            f'OpenCV cannot open a {FOURCC[ext]} writer for {path}; its '
            'FFmpeg backend may be missing (try ext="avi" / "mp4")')
    try:
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()


def write_rawframes(frame_dir: str, frames: np.ndarray,
                    filename_tmpl: str = RAWFRAME_TMPL) -> None:
    """Write RGB ``frames`` as JPEGs numbered from 1 (mmaction2 rawframes).

    Args:
        frame_dir (str): Output folder.
        frames (np.ndarray): ``(T, H, W, 3)`` uint8 RGB.
        filename_tmpl (str): File name template. Defaults to
            ``'img_{:05}.jpg'``, RawframeDataset's default.
    """
    os.makedirs(frame_dir, exist_ok=True)
    for i, frame in enumerate(frames, start=1):
        path = osp.join(frame_dir, filename_tmpl.format(i))
        if not cv2.imwrite(path, cv2.cvtColor(frame, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, 95]):
            raise RuntimeError(f'OpenCV failed to write {path}')


def _write_lines(path: str, lines: Sequence[str]) -> str:
    os.makedirs(osp.dirname(path), exist_ok=True)
    # newline='\n' keeps the bytes the same on every OS.
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.writelines(line + '\n' for line in lines)
    return path


class _LayoutWriter:
    """Collects clips and writes one layout's files under ``root``."""

    layout = ''

    def __init__(self, root: str, names: List[str], ext: str) -> None:
        self.root = root
        self.names = names
        self.ext = ext
        self.lines = {'train': [], 'val': [], 'test': []}

    def add(self, clip: ClipInfo, frames: np.ndarray, fps: float) -> None:
        raise NotImplementedError

    def finish(self) -> dict:
        raise NotImplementedError

    def _info(self, ann_train: str, ann_val: str, prefix_train: str,
              prefix_val: str, ann_test: Optional[str] = None,
              **extra) -> dict:
        if self.lines['test']:
            if ann_test is None:
                raise ValueError(f'the {self.layout} layout has no test '
                                 'split files; use test_ratio=0')
            extra.update(
                ann_file_test=_write_lines(
                    osp.join(self.root, ann_test), self.lines['test']),
                num_test=len(self.lines['test']))
        info = dict(
            layout=self.layout,
            data_root=self.root,
            class_names=list(self.names),
            num_classes=len(self.names),
            ann_file_train=_write_lines(
                osp.join(self.root, ann_train), self.lines['train']),
            ann_file_val=_write_lines(
                osp.join(self.root, ann_val), self.lines['val']),
            data_prefix_train=osp.join(self.root, prefix_train),
            data_prefix_val=osp.join(self.root, prefix_val),
            num_train=len(self.lines['train']),
            num_val=len(self.lines['val']))
        info.update(extra)
        return info

    def _class_ind(self) -> str:
        return _write_lines(
            osp.join(self.root, 'annotations', 'classInd.txt'),
            [f'{i + 1} {name}' for i, name in enumerate(self.names)])


class _UCF101Writer(_LayoutWriter):
    """``videos/<Class>/v_<Class>_gXX_cYY.avi`` + official-style splits."""

    layout = 'ucf101'

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.official = {'train': [], 'val': [], 'test': []}

    def add(self, clip, frames, fps):
        rel = f'{clip.class_name}/{clip.stem}.{self.ext}'
        write_video(osp.join(self.root, 'videos', rel), frames, fps)
        self.lines[clip.split].append(f'{rel} {clip.label}')
        # trainlist01 carries 1-based labels, testlist01 none (as UCF101's).
        self.official[clip.split].append(
            f'{rel} {clip.label + 1}' if clip.split == 'train' else rel)

    def finish(self):
        annotations = osp.join(self.root, 'annotations')
        return self._info(
            'ucf101_train_split_1_videos.txt',
            'ucf101_val_split_1_videos.txt', 'videos', 'videos',
            ann_test='ucf101_test_split_1_videos.txt',
            class_ind=self._class_ind(),
            trainlist=_write_lines(
                osp.join(annotations, 'trainlist01.txt'),
                self.official['train']),
            testlist=_write_lines(
                osp.join(annotations, 'testlist01.txt'), self.official['val']))


class _HMDB51Writer(_LayoutWriter):
    """``videos/<Class>/<Class>_gXX_cYY.avi`` + per-class split files."""

    layout = 'hmdb51'

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.per_class = {name: [] for name in self.names}

    def add(self, clip, frames, fps):
        name = f'{clip.stem[2:]}.{self.ext}'  # drop UCF101's 'v_'
        write_video(
            osp.join(self.root, 'videos', clip.class_name, name), frames, fps)
        self.lines[clip.split].append(f'{clip.class_name}/{name} {clip.label}')
        # HMDB51 split files: 1 = train, 2 = test, 0 = neither (our
        # held-out test split, listed in its own file)
        self.per_class[clip.class_name].append(
            f'{name} {dict(train=1, val=2, test=0)[clip.split]}')

    def finish(self):
        for name, lines in self.per_class.items():
            _write_lines(
                osp.join(self.root, 'annotations',
                         f'{name}_test_split1.txt'), lines)
        return self._info(
            'hmdb51_train_split_1_videos.txt',
            'hmdb51_val_split_1_videos.txt', 'videos', 'videos',
            ann_test='hmdb51_test_split_1_videos.txt',
            class_ind=self._class_ind())


class _KineticsWriter(_LayoutWriter):
    """Flat ``videos_train/`` and ``videos_val/`` + ``*_list_videos.txt``."""

    layout = 'kinetics'

    def add(self, clip, frames, fps):
        name = f'{clip.stem[2:]}.{self.ext}'
        write_video(
            osp.join(self.root, f'videos_{clip.split}', name), frames, fps)
        self.lines[clip.split].append(f'{name} {clip.label}')

    def finish(self):
        return self._info(
            'kinetics400_train_list_videos.txt',
            'kinetics400_val_list_videos.txt', 'videos_train', 'videos_val',
            ann_test='kinetics400_test_list_videos.txt')


class _RawframesWriter(_LayoutWriter):
    """UCF101 rawframes: ``rawframes/<Class>/<stem>/img_00001.jpg``."""

    layout = 'rawframes'

    def add(self, clip, frames, fps):
        rel = f'{clip.class_name}/{clip.stem}'
        write_rawframes(osp.join(self.root, 'rawframes', rel), frames)
        self.lines[clip.split].append(f'{rel} {len(frames)} {clip.label}')

    def finish(self):
        return self._info(
            'ucf101_train_split_1_rawframes.txt',
            'ucf101_val_split_1_rawframes.txt', 'rawframes', 'rawframes',
            ann_test='ucf101_test_split_1_rawframes.txt',
            class_ind=self._class_ind(), filename_tmpl=RAWFRAME_TMPL)


_WRITERS = {
    'ucf101': _UCF101Writer,
    'hmdb51': _HMDB51Writer,
    'kinetics': _KineticsWriter,
    'rawframes': _RawframesWriter,
}


def generate_dataset(out_dir: str,
                     layout: str = 'ucf101',
                     num_classes: int = 10,
                     videos_per_class: int = 30,
                     num_frames: int = 32,
                     size: int = 64,
                     seed: int = 0,
                     ext: Optional[str] = None,
                     clips_per_group: int = 4,
                     val_ratio: float = 0.3,
                     test_ratio: float = 0.,
                     fps: float = 25.) -> dict:
    """Write a synthetic action-recognition set in mmaction2's layouts.

    Layouts (``root`` is ``out_dir``, or ``out_dir/<ALL_LAYOUT_DIRS[name]>``
    for ``layout='all'``):

    * ``ucf101``: ``root/videos/<Class>/v_<Class>_gXX_cYY.avi``,
      ``root/annotations/{classInd,trainlist01,testlist01}.txt`` and
      mmaction2's lists ``root/ucf101_{train,val}_split_1_videos.txt``
      (``<Class>/<file> <label>``).
    * ``hmdb51``: ``root/videos/<Class>/<Class>_gXX_cYY.avi``,
      ``root/annotations/<Class>_test_split1.txt`` and
      ``root/hmdb51_{train,val}_split_1_videos.txt``.
    * ``kinetics``: ``root/videos_{train,val}/<name>.mp4`` and
      ``root/kinetics400_{train,val}_list_videos.txt`` (``<name> <label>``).
    * ``rawframes``: ``root/rawframes/<Class>/<stem>/img_00001.jpg ...`` and
      ``root/ucf101_{train,val}_split_1_rawframes.txt``
      (``<Class>/<stem> <total_frames> <label>``).

    Args:
        out_dir (str): Output folder (created; existing files are
            overwritten, unrelated ones left alone).
        layout (str): One of :data:`LAYOUTS` or ``'all'``. Defaults to
            ``'ucf101'``.
        num_classes (int): Classes, 2 to :data:`MAX_CLASSES`. Defaults to 10.
        videos_per_class (int): Clips per class. Defaults to 30.
        num_frames (int): Frames per clip. Defaults to 32.
        size (int): Frame side in pixels (square frames). Defaults to 64.
        seed (int): Seed; the same seed gives the same files. Defaults to 0.
        ext (str, optional): ``'avi'`` or ``'mp4'`` for every video layout;
            None uses each layout's native one (avi for UCF101/HMDB51, mp4
            for Kinetics). Defaults to None.
        clips_per_group (int): Clips sharing one scene (background and
            distractor). Defaults to 4.
        val_ratio (float): Fraction of groups held out. Defaults to 0.3.
        test_ratio (float): Fraction of groups in a held-out test split
            (``ann_file_test``, ``num_test`` in the returned dict); the test
            clips of the kinetics layout sit in ``videos_test/``. Defaults
            to 0 (no test split).
        fps (float): Frame rate written into the videos. Defaults to 25.

    Returns:
        dict: For one layout: ``layout``, ``data_root``, ``class_names``,
        ``num_classes``, ``ann_file_train``, ``ann_file_val``,
        ``data_prefix_train``, ``data_prefix_val``, ``num_train``,
        ``num_val`` (absolute paths) and layout extras (``class_ind``,
        ``trainlist``, ``testlist``, ``filename_tmpl``). For ``'all'``:
        ``{'layout': 'all', 'root': out_dir, <layout>: <that dict>, ...}``.
    """
    if layout != 'all' and layout not in LAYOUTS:
        raise ValueError(
            f'layout must be one of {LAYOUTS + ("all", )}, got {layout!r}')
    if ext is not None and ext not in FOURCC:
        raise ValueError(f'ext must be one of {sorted(FOURCC)}, got {ext!r}')
    if not 16 <= size <= 512:
        raise ValueError(f'size must be in [16, 512] px, got {size}')
    if num_frames < 2:
        raise ValueError(f'num_frames must be >= 2, got {num_frames}')
    out_dir = osp.abspath(out_dir)
    plan = plan_clips(num_classes, videos_per_class, clips_per_group,
                      val_ratio, test_ratio)
    names = class_names(num_classes)
    chosen = LAYOUTS if layout == 'all' else (layout, )
    writers = {}
    for name in chosen:
        root = (osp.join(out_dir, ALL_LAYOUT_DIRS[name])
                if layout == 'all' else out_dir)
        writers[name] = _WRITERS[name](root, names, ext or DEFAULT_EXT.get(
            name, 'avi'))

    appearances = {}
    for clip in plan:
        if clip.group not in appearances:
            appearances[clip.group] = sample_appearance(
                np.random.default_rng([seed, 0, clip.group]), size)
        # Seeded by the clip's identity, so a clip does not change when
        # other classes or layouts are added.
        rng = np.random.default_rng([seed, 1, clip.label, clip.group,
                                     clip.clip])
        frames = render_clip(clip.label, appearances[clip.group], rng,
                             num_frames)
        for writer in writers.values():
            writer.add(clip, frames, fps)

    infos = {name: writer.finish() for name, writer in writers.items()}
    if layout != 'all':
        return infos[layout]
    return dict(layout='all', root=out_dir, **infos)
