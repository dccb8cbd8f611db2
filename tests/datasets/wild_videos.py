"""Videos "from the wild" for the dataset tests: other encoders, containers,
resolutions and frame counts than the synthetic generator's (OpenCV XVID
.avi / mp4v .mp4 with 32- or 64-pixel square frames)."""
import os
import os.path as osp

import av
import cv2
import numpy as np

# name, writer, codec, frames, height, width
WILD = [
    ('mjpeg_pal.avi', 'cv2', 'MJPG', 13, 576, 768),   # AVI + MJPEG, PAL size
    ('x264_pal.mp4', 'av', 'libx264', 17, 576, 768),  # H.264 with B-frames
    ('x264_odd.mkv', 'av', 'libx264', 9, 190, 250),   # Matroska, odd size
    ('mpeg4_qvga.mov', 'av', 'mpeg4', 11, 240, 320),  # QuickTime + MPEG-4
    ('xvid_short.avi', 'cv2', 'XVID', 7, 120, 160),   # shorter than a clip
]


def ramp_frames(num_frames: int, height: int, width: int) -> np.ndarray:
    """Frame ``i`` is flat grey at a level rising with ``i``, with a band of
    the inverse level on the left, so a decoded frame tells its index."""
    frames = np.empty((num_frames, height, width, 3), np.uint8)
    for i in range(num_frames):
        level = 20 + i * 200 // max(1, num_frames - 1)
        frames[i] = level
        frames[i, :, :width // 8] = 255 - level
    return frames


def write_with_cv2(path: str, fourcc: str, frames: np.ndarray) -> None:
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), 25,
                             (width, height))
    assert writer.isOpened(), f'no {fourcc} writer in this OpenCV'
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()


def write_with_pyav(path: str, codec: str, frames: np.ndarray) -> None:
    height, width = frames.shape[1:3]
    with av.open(path, 'w') as container:
        stream = container.add_stream(codec, rate=25)
        stream.width, stream.height, stream.pix_fmt = width, height, 'yuv420p'
        for frame in frames:
            for packet in stream.encode(
                    av.VideoFrame.from_ndarray(frame, format='rgb24')):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def write_wild_set(root: str) -> dict:
    """Write the WILD videos as a UCF101-layout set (one class per video).

    Args:
        root (str): Output folder (``videos/`` and the split lists).

    Returns:
        dict: ``name -> (path, frames, height, width, label)``.
    """
    written = {}
    for label, (name, writer, codec, num, height, width) in enumerate(WILD):
        path = osp.join(root, 'videos', f'Class{label}', name)
        os.makedirs(osp.dirname(path), exist_ok=True)
        frames = ramp_frames(num, height, width)
        if writer == 'cv2':
            write_with_cv2(path, codec, frames)
        else:
            write_with_pyav(path, codec, frames)
        written[name] = (path, num, height, width, label)
    lines = [f'Class{label}/{name} {label}'
             for name, (_, _, _, _, label) in written.items()]
    for split in ('train', 'val'):
        with open(osp.join(root, f'ucf101_{split}_split_1_videos.txt'),
                  'w') as f:
            f.write('\n'.join(lines) + '\n')
    return written


def truncated_copy(source: str, target: str, fraction: float = 0.5) -> str:
    """Copy the first ``fraction`` of ``source``'s bytes to ``target``."""
    os.makedirs(osp.dirname(target), exist_ok=True)
    with open(source, 'rb') as f:
        data = f.read()
    with open(target, 'wb') as f:
        f.write(data[:int(len(data) * fraction)])
    return target
