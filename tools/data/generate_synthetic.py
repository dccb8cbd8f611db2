"""Write the synthetic motion-classes video set in mmaction2's layouts.

Examples:
    # UCF101 layout for configs/_base_/datasets/demo_video.py
    python tools/data/generate_synthetic.py --out data/synthetic
    # every layout under data/ as mmaction2's stock configs expect them
    # (data/ucf101 with videos and rawframes, data/hmdb51, data/kinetics400)
    python tools/data/generate_synthetic.py --out data --layout all
    # AVA-format action detection set (mmaction2's data/ava layout) for
    # configs/_base_/datasets/ava_synthetic.py; AVA itself uses 902-1798
    python tools/data/generate_synthetic.py --layout ava \
        --out data/ava_synthetic --keyframes 902 909
"""
import argparse
import json
import time

from mmkd_video.datasets.synthetic import (LAYOUTS, MAX_CLASSES,
                                          generate_dataset)
from mmkd_video.datasets.synthetic_ava import generate_ava_dataset


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate a small synthetic action-video dataset whose '
        'classes differ only in motion.')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--layout', default='ucf101', choices=LAYOUTS + ('all', 'ava'),
        help='on-disk layout; "all" writes each into its mmaction2 folder '
        'name under --out (ucf101, hmdb51, kinetics400); "ava" writes the '
        'action detection set (AVA v2.2 files, see --keyframes)')
    parser.add_argument(
        '--num-classes', type=int, default=10,
        help=f'number of classes, 2 to {MAX_CLASSES} (default: 10)')
    parser.add_argument(
        '--videos-per-class', type=int, default=30,
        help='clips per class (default: 30)')
    parser.add_argument(
        '--frames', type=int, default=32, help='frames per clip (default: 32)')
    parser.add_argument(
        '--size', type=int, default=None,
        help='frame side in pixels, square frames (default: 64; 96 for '
        '--layout ava)')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument(
        '--ext', choices=('avi', 'mp4'), default=None,
        help='video container; default: avi for ucf101/hmdb51, mp4 for '
        'kinetics')
    parser.add_argument(
        '--clips-per-group', type=int, default=4,
        help='clips sharing one appearance; splits are by group (default: 4)')
    parser.add_argument(
        '--val-ratio', type=float, default=0.3,
        help='fraction of groups held out for validation (default: 0.3)')
    parser.add_argument(
        '--test-ratio', type=float, default=0.,
        help='fraction of groups in a held-out test split, for a final '
        'table only (default: 0, no test split)')
    parser.add_argument(
        '--fps', type=float, default=25., help='frame rate in the files')
    ava = parser.add_argument_group('--layout ava (30 fps, 96-px frames '
                                    'unless --size is given)')
    ava.add_argument(
        '--keyframes', type=int, nargs=2, default=(902, 1798),
        metavar=('FIRST', 'LAST'),
        help='first and last keyframe second, inclusive (default: AVA\'s '
        '902 1798; the demo uses 902 909)')
    ava.add_argument('--train-videos', type=int, default=6,
                     help='training movies (default: 6)')
    ava.add_argument('--val-videos', type=int, default=2,
                     help='validation movies (default: 2)')
    ava.add_argument('--actors', type=int, nargs=2, default=(2, 3),
                     metavar=('MIN', 'MAX'),
                     help='actors per movie (default: 2 3)')
    return parser.parse_args(argv)


def main_ava(args) -> dict:
    """Write the AVA-format set and print where the files are."""
    info = generate_ava_dataset(
        args.out, num_train_videos=args.train_videos,
        num_val_videos=args.val_videos, keyframes=tuple(args.keyframes),
        actors=tuple(args.actors),
        size=args.size or 96, seed=args.seed)
    print(f'ava: {info["num_keyframes_train"]} train + '
          f'{info["num_keyframes_val"]} val keyframes, '
          f'{info["num_classes"] - 1} actions, frames in {info["data_root"]}'
          f', annotations in {info["anno_root"]} (dataset timestamp_start='
          f'{info["timestamp_start"]}, timestamp_end='
          f'{info["timestamp_end"]})')
    return info


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    if args.layout == 'ava':
        try:
            main_ava(args)
        except ValueError as exc:
            raise SystemExit(f'generate_synthetic.py: error: {exc}')
        print(f'done in {time.time() - start:.1f} s')
        return
    try:
        info = generate_dataset(
            args.out,
            layout=args.layout,
            num_classes=args.num_classes,
            videos_per_class=args.videos_per_class,
            num_frames=args.frames,
            size=args.size or 64,
            seed=args.seed,
            ext=args.ext,
            clips_per_group=args.clips_per_group,
            val_ratio=args.val_ratio,
            test_ratio=args.test_ratio,
            fps=args.fps)
    except ValueError as exc:  # bad argument values: no traceback
        raise SystemExit(f'generate_synthetic.py: error: {exc}')
    layouts = ({k: v for k, v in info.items() if isinstance(v, dict)}
               if args.layout == 'all' else {args.layout: info})
    for name, item in layouts.items():
        test = f' + {item["num_test"]} test' if 'num_test' in item else ''
        print(f'{name}: {item["num_train"]} train + {item["num_val"]} val'
              f'{test} clips, {item["num_classes"]} classes in '
              f'{item["data_root"]}')
        print('  ' + json.dumps(
            {k: item[k] for k in ('ann_file_train', 'ann_file_val',
                                  'ann_file_test') if k in item},
            indent=None))
    print(f'done in {time.time() - start:.1f} s')


if __name__ == '__main__':
    main()
