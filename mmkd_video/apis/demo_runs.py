"""Runners shared by the demo and reproduction tools (tools/demo.py,
tools/reproduce.py, tools/demo_ava.py): each stage is a plain
``tools/train.py`` run in a subprocess, logged to a file."""
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time

from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmkd_video.registry import MODELS

# the source checkout: the runners call its tools/ on its configs/
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TEACHER = 'configs/baselines/teacher_r3d18-w32_1xb8-8x2x1-20e_synthetic-rgb.py'
STUDENT = 'configs/baselines/student_r3d18-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
KD = 'configs/baselines/kd_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
GENKD_P1 = 'configs/genkd/genkd-phase1_r3d18-w32_1xb8-8x2x1-6e_synthetic-rgb.py'
GENKD_P2 = ('configs/genkd/genkd-phase2_r3d18-w32-to-w8_'
            '1xb8-8x2x1-20e_synthetic-rgb.py')


def run(cmd, log_file):
    """Run a command, log to a file, fail loudly with the log's tail.

    The runner's training and validation lines are echoed as they come
    (``Epoch(train)``/``Epoch(val)``), so progress shows on the console."""
    print('$ ' + ' '.join(cmd), flush=True)
    start = time.time()
    with open(log_file, 'w') as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            log.write(line)
            if 'Epoch(train)' in line or 'Epoch(val)' in line:
                print('  ' + line.split(' - mmengine - INFO - ')[-1].strip(),
                      flush=True)
        proc.wait()
    if proc.returncode != 0:
        with open(log_file) as f:
            tail = f.read()[-3000:]
        raise SystemExit(f'command failed ({proc.returncode}), log '
                         f'{log_file}:\n{tail}')
    print(f'  done in {time.time() - start:.0f} s (log: {log_file})',
          flush=True)


def train(config, work_dir, seed, data_root, extra=()):
    """``tools/train.py CONFIG`` into ``work_dir`` with a seed and data root."""
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
    """Parameters of a config's model, without ``drop_prefixes``."""
    with DefaultScope.overwrite_default_scope('mmkd_video'):
        model = MODELS.build(Config.fromfile(osp.join(REPO, config)).model)
    return sum(p.numel() for n, p in model.named_parameters()
               if not n.startswith(tuple(drop_prefixes)))


def export_recognizer(work_dir, out_file):
    """Copy the last checkpoint of a plain recognizer run to ``out_file``."""
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        shutil.copyfile(f.read().strip(), out_file)
