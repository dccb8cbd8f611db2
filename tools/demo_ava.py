"""AVA-style action detection: generate, train a teacher, distil, compare.

``make demo-ava`` runs this. Every stage is a plain ``tools/train.py`` run of
a config in ``configs/ava/`` (re-runnable by hand), in this order:

1. generate the synthetic AVA set into ``data/ava_synthetic`` (if absent):
   10 training and 6 validation movies, keyframes 902-909, 96-px frames;
2. train the teacher (FastRCNN, narrow SlowOnly-R50, GenKD RoI attention +
   CVAE) and the student alone (FastRCNN, SlowOnly-R18 base 4), same seed;
3. distil the student with the chosen methods (default: StructKD);
4. print a table: parameters and frame mAP@0.5 (AVAMetric) of the last
   validation (never the best epoch).

Usage:
    python tools/demo_ava.py [--work-dir work_dirs/demo_ava] [--seed 0]
        [--methods structkd] [--data-root data/ava_synthetic]
        [--val-interval 5] [--max-epochs N]
"""
import argparse
import json
import os
import os.path as osp
import time

from mmkd_video.apis.ava_runs import (METHODS, STUDENT, STUDENT_MODEL,
                                      TEACHER_MODEL, deployed_params,
                                      generate, last_map, train,
                                      train_teacher)
from mmkd_video.apis.demo_runs import REPO

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo_ava')
    parser.add_argument('--data-root', default='data/ava_synthetic')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--methods', nargs='*', default=['structkd'],
                        choices=sorted(METHODS))
    parser.add_argument('--val-interval', type=int, default=5,
                        help='validate every N epochs (default 5; the table '
                        'uses the last validation, AVAMetric costs ~40%% of '
                        'a student epoch here)')
    parser.add_argument('--max-epochs', type=int, default=None,
                        help='cut every run short (a smoke test of the '
                        'pipeline; the configs train 20 epochs)')
    args = parser.parse_args()
    os.chdir(REPO)
    start = time.time()
    work = args.work_dir
    os.makedirs(work, exist_ok=True)
    generate(args.data_root, work)
    short = [f'train_cfg.val_interval={args.val_interval}'] + (
        [f'train_cfg.max_epochs={args.max_epochs}'] if args.max_epochs else [])
    common = dict(seed=args.seed, data_root=args.data_root)

    teacher_ckpt = train_teacher(work, args.seed, args.data_root, short)
    rows = [('teacher (FastRCNN SlowOnly-R50 w8 + GenKD attention)',
             deployed_params(TEACHER_MODEL),
             last_map(osp.join(work, 'teacher'))[0])]
    train(STUDENT, osp.join(work, 'student'), extra=short, **common)
    rows.append(('student alone (FastRCNN SlowOnly-R18 w4)',
                 deployed_params(STUDENT_MODEL),
                 last_map(osp.join(work, 'student'))[0]))
    for method in args.methods:
        name, config, model = METHODS[method]
        run_dir = osp.join(work, method)
        train(config, run_dir,
              extra=[f'model.teacher_ckpt={teacher_ckpt}', *short], **common)
        rows.append((name, deployed_params(model), last_map(run_dir)[0]))

    print()
    print('| model | params | frame mAP@0.5 (%) |')
    print('|---|---:|---:|')
    for name, params, value in rows:
        print(f'| {name} | {params / 1e6:.2f} M | {value * 100:.1f} |')
    print(f'\n(seed {args.seed}, last epoch, {len(rows)} runs in '
          f'{(time.time() - start) / 60:.1f} min)')
    with open(osp.join(work, 'results.json'), 'w') as f:
        json.dump([dict(model=r[0], params=r[1], map=r[2]) for r in rows], f,
                  indent=1)


if __name__ == '__main__':
    main()
