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
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from demo import REPO, count_params, run  # noqa: E402

SUFFIX = 'fastrcnn-slowonly-r50-w8-to-r18-w4_1xb8-4x4x1-20e_synthetic-ava-rgb'
TEACHER = ('configs/ava/teacher-genkd_fastrcnn-slowonly-r50-w8_1xb8-4x4x1-'
           '20e_synthetic-ava-rgb.py')
STUDENT = ('configs/ava/student_fastrcnn-slowonly-r18-w4_1xb8-4x4x1-20e_'
           'synthetic-ava-rgb.py')
STUDENT_MODEL = 'configs/_base_/models/ava_fastrcnn_slowonly-r18-w4.py'
GENKD_MODEL = 'configs/_base_/models/ava_fastrcnn_slowonly-r18-w4_genkd.py'
TEACHER_MODEL = 'configs/_base_/models/ava_fastrcnn_slowonly-r50-w8_genkd.py'
# method -> (table name, config, deployed student model config)
METHODS = dict(
    kd=('student + logit KD (binary KL per RoI)',
        f'configs/ava/kd_{SUFFIX}.py', STUDENT_MODEL),
    structkd=('student + StructKD (Pa + binary Pi + Ho)',
              f'configs/ava/structkd-pa-pi-ho_{SUFFIX}.py', STUDENT_MODEL),
    genkd=('student + GenKD on RoI features (with attention)',
           f'configs/ava/genkd_{SUFFIX}.py', GENKD_MODEL),
    combined=('student + GenKD + StructKD (with attention)',
              f'configs/ava/genkd-structkd_{SUFFIX}.py', GENKD_MODEL),
)
DATA = dict(train_videos=10, val_videos=6, keyframes=(902, 909))


def train(config, work_dir, seed, data_root, extra=()):
    """``tools/train.py`` with ``work_dir`` as working directory.

    mmaction2's AVAMetric writes its temporary result CSV into the working
    directory under a name made of the current second, so two evaluations
    sharing one directory (parallel reproductions) can delete each other's
    file; each run gets its own. Paths are made absolute for that.
    """
    work_dir = osp.abspath(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    cmd = [sys.executable, osp.join(REPO, 'tools', 'train.py'),
           osp.join(REPO, config), '--work-dir', work_dir, '--seed',
           str(seed), '--cfg-options', f'data_root={osp.abspath(data_root)}',
           *extra]
    log_file = osp.join(work_dir, 'train.log')
    print('$ ' + ' '.join(cmd), flush=True)
    start = time.time()
    with open(log_file, 'w') as log:
        proc = subprocess.run(cmd, cwd=work_dir, stdout=log,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_file) as f:
            tail = f.read()[-3000:]
        raise SystemExit(f'command failed ({proc.returncode}), log '
                         f'{log_file}:\n{tail}')
    print(f'  done in {time.time() - start:.0f} s (log: {log_file})',
          flush=True)


def generate(data_root, log_dir):
    """Write the demo's AVA set unless ``data_root`` already holds it."""
    if osp.isfile(osp.join(data_root, 'annotations', 'ava_val_v2.2.csv')):
        return
    first, last = DATA['keyframes']
    run([sys.executable, 'tools/data/generate_synthetic.py', '--layout',
         'ava', '--out', data_root, '--keyframes', str(first), str(last),
         '--train-videos', str(DATA['train_videos']), '--val-videos',
         str(DATA['val_videos'])], osp.join(log_dir, 'generate.log'))


def last_map(work_dir, key='mAP/overall'):
    """Frame mAP of the last validation of a run (and the teacher's)."""
    scalars = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                        'scalars.json')))
    if not scalars:
        raise FileNotFoundError(f'no scalars.json under {work_dir}')
    last = teacher = None
    with open(scalars[-1]) as f:
        for line in f:
            record = json.loads(line)
            if key in record:
                last = record[key]
            if f'teacher/{key}' in record:
                teacher = record[f'teacher/{key}']
    if last is None:
        raise KeyError(f'no {key!r} in {scalars[-1]}')
    return last, teacher


def deployed_params(model_config):
    """Parameters at test time: a GenKD student keeps its attention branch
    (and projection) but not the CVAE, which only trains."""
    return count_params(model_config, ('roi_head.shared_head.head.cvae', ))


def train_teacher(work, seed, data_root, extra=()):
    """Train the teacher once per work dir; returns its checkpoint."""
    teacher_dir = osp.join(work, 'teacher')
    ckpt = osp.abspath(osp.join(teacher_dir, 'student_latest.pth'))
    if not osp.isfile(osp.join(teacher_dir, 'done')):
        train(TEACHER, teacher_dir, seed, data_root, extra)
        open(osp.join(teacher_dir, 'done'), 'w').close()
    return ckpt


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
