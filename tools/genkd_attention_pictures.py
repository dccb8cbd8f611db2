"""Draw GenKD's per-time attention over the frames of validation clips.

For each clip: its sampled frames in a row, and under each frame a bar whose
height is the attention strength at that time (``A`` averaged over channels;
``A`` is channel x time, so a feature time step covering several frames
gives them one bar). Written as PNG files.

Usage:
    python tools/genkd_attention_pictures.py MODEL_CONFIG CHECKPOINT \
        --data-root data/synthetic --out work_dirs/demo/attention [--num 6]

``MODEL_CONFIG`` is a recognizer config with a ``GenKDAttentionNeck`` (e.g.
``configs/_base_/models/demo_student_r3d18_tiny_genkd.py``); ``CHECKPOINT``
a plain checkpoint of it (``student_latest.pth`` of a GenKD run).
"""
import argparse

from mmkd_video.apis.attention_pictures import write_attention_pictures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument('--out', default='work_dirs/attention')
    parser.add_argument('--num', type=int, default=6)
    args = parser.parse_args()
    paths = write_attention_pictures(args.config, args.checkpoint,
                                     args.data_root, args.out, args.num)
    print('\n'.join(paths))


if __name__ == '__main__':
    main()
