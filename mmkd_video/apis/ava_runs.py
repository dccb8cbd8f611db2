"""Runners of the AVA-style demo and reproduction (tools/demo_ava.py,
tools/reproduce_ava.py): configs, training in its own working directory,
data generation and reading the frame mAP back."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

from .demo_runs import REPO, count_params, run

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
