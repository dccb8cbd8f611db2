"""AVA-style detection distillation over seeds, as a Markdown table.

Rows: the student alone, logit KD, StructKD (Pa + binary Pi + Ho), GenKD on
RoI features, and GenKD + StructKD, all on the generated AVA set of
``tools/demo_ava.py``. The teacher is trained once per work dir with seed 0
(the same run as the demo's); every student row is trained with each seed.
The number reported is AVAMetric's frame mAP@0.5 of the last validation
(never the best epoch), as mean ± sample std. Finished runs are reused, so
an interrupted reproduction continues; ``--rows`` splits the work over
processes.

Usage:
    python tools/reproduce_ava.py [--seeds 0 1 2] [--rows 0 1 ...]
        [--work-dir work_dirs/reproduce_ava] [--out docs/ava_ablation.md]
"""
import argparse
import json
import os
import os.path as osp
import statistics

from mmkd_video.apis.ava_runs import (METHODS, STUDENT, generate, last_map,
                                      train, train_teacher)
from mmkd_video.apis.demo_runs import REPO

ROWS = [('no KD (student alone)', STUDENT)] + [
    (METHODS[m][0].replace('student + ', ''), METHODS[m][1])
    for m in ('kd', 'structkd', 'genkd', 'combined')]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--work-dir', default='work_dirs/reproduce_ava')
    parser.add_argument('--data-root', default='data/ava_synthetic')
    parser.add_argument('--out', default='docs/ava_ablation.md')
    parser.add_argument('--rows', type=int, nargs='+', default=None,
                        help='train only these rows; the table lists '
                        'finished runs')
    args = parser.parse_args()
    os.chdir(REPO)
    work = args.work_dir
    os.makedirs(work, exist_ok=True)
    generate(args.data_root, work)
    teacher_ckpt = train_teacher(work, 0, args.data_root)

    results, teacher_map = {}, None
    for index, (name, config) in enumerate(ROWS):
        for seed in args.seeds:
            run_dir = osp.join(work, f'ava{index}_seed{seed}')
            done = osp.isfile(osp.join(run_dir, 'done'))
            if not done and args.rows is not None and index not in args.rows:
                continue
            if not done:
                extra = [] if config == STUDENT else [
                    f'model.teacher_ckpt={teacher_ckpt}']
                train(config, run_dir, seed, args.data_root, extra=extra)
                open(osp.join(run_dir, 'done'), 'w').close()
            value, teacher = last_map(run_dir)
            teacher_map = teacher if teacher is not None else teacher_map
            results.setdefault(name, []).append(value * 100)
        with open(osp.join(work, 'ava_results.json'), 'w') as f:
            json.dump(results, f, indent=1)

    teacher = (f'{teacher_map * 100:.1f}' if teacher_map is not None
               else 'n/a')
    lines = [
        f'Teacher (FastRCNN SlowOnly-R50 w8 + GenKD RoI attention, seed 0): '
        f'{teacher} frame mAP@0.5 on the val split. Students: FastRCNN '
        f'SlowOnly-R18 w4, last-epoch frame mAP@0.5 (%), mean ± sample std '
        f'over the finished seeds of {args.seeds} (n).', '',
        '| student | mAP mean ± std | n | per seed |', '|---|---:|---:|---|']
    for name, values in results.items():
        std = statistics.stdev(values) if len(values) > 1 else float('nan')
        lines.append(f'| {name} | {statistics.mean(values):.1f} ± {std:.1f}'
                     f' | {len(values)} | '
                     f'{", ".join(f"{v:.1f}" for v in values)} |')
    table = '\n'.join(lines)
    print(table)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        f.write('# AVA-style detection distillation on the generated set\n\n'
                'Produced by `python tools/reproduce_ava.py --seeds '
                f'{" ".join(map(str, args.seeds))}`.\n\n' + table + '\n')


if __name__ == '__main__':
    main()
