"""The main job: generate data, train a teacher, distil a student, compare.

``make demo`` runs this after installing. Every stage is a plain
``tools/train.py`` run of a config in ``configs/`` (so anything here can be
re-run by hand), in this order:

1. generate the synthetic motion set into ``data/synthetic`` (if absent);
2. train the teacher and the student alone (same seed and schedule);
3. GenKD phase 1 (teacher attention + CVAE) and phase 2 (logit KD with
   ``--stages ... kd``);
4. print a table (params, top-1/top-5 of the last epoch on the val split)
   and write GenKD attention pictures to the work dir.

Usage:
    python tools/demo.py [--work-dir work_dirs/demo] [--seed 0]
                         [--stages teacher student kd genkd]
"""
import argparse
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
TEACHER = 'configs/baselines/teacher_r3d18-w32_1xb8-8x2x1-20e_synthetic-rgb.py'
STUDENT = 'configs/baselines/student_r3d18-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
KD = 'configs/baselines/kd_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
GENKD_P1 = 'configs/genkd/genkd-phase1_r3d18-w32_1xb8-8x2x1-6e_synthetic-rgb.py'
GENKD_P2 = ('configs/genkd/genkd-phase2_r3d18-w32-to-w8_'
            '1xb8-8x2x1-20e_synthetic-rgb.py')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--stages', nargs='+',
                        default=['teacher', 'student', 'genkd'],
                        choices=['teacher', 'student', 'kd', 'genkd'])
    return parser.parse_args()


def run(cmd, log_file):
    """Run a command, log to a file, fail loudly with the log's tail."""
    print('$ ' + ' '.join(cmd), flush=True)
    start = time.time()
    with open(log_file, 'w') as log:
        proc = subprocess.run(cmd, cwd=REPO, stdout=log,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_file) as f:
            tail = f.read()[-3000:]
        raise SystemExit(f'command failed ({proc.returncode}), log '
                         f'{log_file}:\n{tail}')
    print(f'  done in {time.time() - start:.0f} s (log: {log_file})',
          flush=True)


def train(config, work_dir, seed, data_root, extra=()):
    os.makedirs(work_dir, exist_ok=True)
    cmd = [sys.executable, 'tools/train.py', config, '--work-dir', work_dir,
           '--seed', str(seed), '--cfg-options', f'data_root={data_root}',
           *extra]
    run(cmd, osp.join(work_dir, 'train.log'))


def last_val_metrics(work_dir):
    """top-1/top-5 of the last validation (no best-of-N on the val set)."""
    scalars = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                        'scalars.json')))
    if not scalars:
        raise FileNotFoundError(f'no scalars.json under {work_dir}')
    last = None
    with open(scalars[-1]) as f:
        for line in f:
            record = json.loads(line)
            if 'acc/top1' in record:
                last = record
    return last['acc/top1'], last['acc/top5']


def count_params(config, drop_prefixes=()):
    import mmkd_video  # noqa: F401
    from mmengine.config import Config
    from mmengine.registry import DefaultScope

    from mmkd_video.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmkd_video'):
        model = MODELS.build(Config.fromfile(osp.join(REPO, config)).model)
    return sum(p.numel() for n, p in model.named_parameters()
               if not n.startswith(tuple(drop_prefixes)))


def export_recognizer(work_dir, out_file):
    """Copy the last checkpoint of a plain recognizer run to ``out_file``."""
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        shutil.copyfile(f.read().strip(), out_file)


def main():
    args = parse_args()
    os.chdir(REPO)
    work = args.work_dir
    os.makedirs(work, exist_ok=True)
    if not osp.isfile(osp.join(args.data_root,
                               'ucf101_train_split_1_videos.txt')):
        run([sys.executable, 'tools/data/generate_synthetic.py', '--out',
             args.data_root], osp.join(work, 'generate.log'))

    rows = []
    teacher_ckpt = osp.join(work, 'teacher.pth')
    common = dict(seed=args.seed, data_root=args.data_root)
    if 'teacher' in args.stages:
        train(TEACHER, osp.join(work, 'teacher'), **common)
        export_recognizer(osp.join(work, 'teacher'), teacher_ckpt)
        rows.append(('teacher (R3D-18, w32, all 3D)', count_params(TEACHER),
                     *last_val_metrics(osp.join(work, 'teacher'))))
    if 'student' in args.stages:
        train(STUDENT, osp.join(work, 'student'), **common)
        rows.append(('student alone (R3D-18, w8)', count_params(STUDENT),
                     *last_val_metrics(osp.join(work, 'student'))))
    kd_opts = [f'model.teacher_ckpt={teacher_ckpt}']
    if 'kd' in args.stages:
        train(KD, osp.join(work, 'kd'), extra=kd_opts, **common)
        rows.append(('student + logit KD', count_params(STUDENT),
                     *last_val_metrics(osp.join(work, 'kd'))))
    if 'genkd' in args.stages:
        p1 = osp.join(work, 'genkd_phase1')
        train(GENKD_P1, p1, extra=[f'model.student_ckpt={teacher_ckpt}'],
              **common)
        rows.append(('teacher + GenKD attention (phase 1)', None,
                     *last_val_metrics(p1)))
        p2 = osp.join(work, 'genkd_phase2')
        train(GENKD_P2, p2, extra=[
            'model.teacher_ckpt=' + osp.join(p1, 'student_latest.pth')],
            **common)
        student_genkd = 'configs/_base_/models/demo_student_r3d18_tiny_genkd.py'
        rows.append(('student + GenKD (deployed with attention neck)',
                     count_params(student_genkd, ('cvae', 'neck.head.cvae')),
                     *last_val_metrics(p2)))
        sys.path.insert(0, osp.join(REPO, 'tools'))
        from genkd_attention_pictures import write_attention_pictures
        pictures = write_attention_pictures(
            osp.join(REPO, student_genkd), osp.join(p2, 'student_latest.pth'),
            args.data_root, osp.join(work, 'attention'))
        print(f'attention pictures: {pictures[-1]} (+{len(pictures) - 1})')

    print()
    print('| model | params | top-1 | top-5 |')
    print('|---|---:|---:|---:|')
    for name, params, top1, top5 in rows:
        p = f'{params / 1e6:.2f} M' if params else 'n/a'
        print(f'| {name} | {p} | {top1 * 100:.1f} | {top5 * 100:.1f} |')
    with open(osp.join(work, 'results.json'), 'w') as f:
        json.dump([dict(model=r[0], params=r[1], top1=r[2], top5=r[3])
                   for r in rows], f, indent=1)


if __name__ == '__main__':
    main()
