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
import json
import os
import os.path as osp
import sys

from mmkd_video.apis.attention_pictures import write_attention_pictures
from mmkd_video.apis.demo_runs import (GENKD_P1, GENKD_P2, KD, REPO, STUDENT,
                                       TEACHER, count_params,
                                       export_recognizer, last_val_metrics,
                                       run, train)

def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--stages', nargs='+',
                        default=['teacher', 'student', 'genkd'],
                        choices=['teacher', 'student', 'kd', 'genkd'])
    return parser.parse_args()


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
