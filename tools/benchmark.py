"""Measure what distillation costs on top of its physical limit.

One distillation step cannot be cheaper than (a) a student-only train step
plus (b) a teacher forward without autograd; anything above is overhead of
the toolbox. For a distiller config this tool times, in one process, after
warm-up and with the phases interleaved in a shuffled order every iteration
(so machine load hits all of them alike):

* (a) a student-only train step: the config's student, alone, with the
  optimizer of the distiller's task step (mmaction2's ``train_step``);
* (b) a teacher inference step: tensor mode up to the distiller's
  ``teacher_stage``, ``no_grad``, on already preprocessed inputs;
* (c) the full distillation ``train_step`` (every optimizer of the method);
* (m) the method's own trainable modules (those the optimizers that do not
  own the task loss train: StructKD's critic, GenKD's CVAE), all their
  compute in a step, timed directly on the records of one forward (made
  once per batch, untimed), as inside (c):

  - the train steps of those optimizers: losses, backward, update;
  - inside the task step, the losses that own such modules (StructKD's
    generator term through the critic): forward and backward to their
    inputs. A task-step loss that only reads a derived value of such a
    module (GenKD's prior reconstruction) is not counted in (m);
* (d) separately, the data pipeline alone: the config's train dataloader
  (its workers) iterated without a model.

It reports medians, the overhead ratio c / (a + b) (c / a for a teacher
cache config, whose teacher does not run), the framework's share
c / (a + b + m), clips/s, and the peak memory of each phase. With
``--repeats R`` the timed iterations run as R blocks; each block gives its
own ratios, and the table shows their mean ± sd over the blocks (the JSON
also holds each block's ratios and a 95 % t-interval of the mean), so a
target can be judged against the spread. The peak memory of
each phase, each measured in its own fresh process (peak RSS over the
process's RSS before the models are built on CPU; ``max_memory_allocated``
on CUDA).

Examples:
    python tools/benchmark.py configs/genkd/genkd-phase2_...py \\
        --random-teacher --cfg-options data_root=data/synthetic
    # every demo method, into docs/benchmark.md
    OMP_NUM_THREADS=1 python tools/benchmark.py --all --random-teacher \\
        --markdown docs/benchmark.md --cfg-options data_root=data/synthetic
"""
import argparse
import copy
import functools
import json
import os
import os.path as osp
import platform
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext

import mmkd_video  # registers modules; main() applies the compat patches
import torch
from mmengine.config import Config, DictAction
from mmengine.hub import get_config
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmengine.runner.amp import autocast

from mmkd_video.apis import use_random_teacher
from mmkd_video.engine.hooks import conv3d_channels_last
from mmkd_video.models.distillers import build_model_from_spec
from mmkd_video.models.distillers.teacher_precision import teacher_autocast
from mmkd_video.registry import MODELS
from mmkd_video.utils import enable_amp, reroot_dataset_paths

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
_DEMO = 'r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
# AVA set: python tools/data/generate_synthetic.py --layout ava \
#   --out data/ava_synthetic --keyframes 902 909 --train-videos 10 --val-videos 6
_AVA = ('fastrcnn-slowonly-r50-w8-to-r18-w4_1xb8-4x4x1-20e_'
        'synthetic-ava-rgb.py')
# (method, config): the demo configs of every method
DEMO_CONFIGS = [
    ('KD', f'configs/baselines/kd_{_DEMO}'),
    ('FitNet', f'configs/baselines/fitnet_{_DEMO}'),
    ('AT', f'configs/baselines/at_{_DEMO}'),
    ('GenKD phase 2', f'configs/genkd/genkd-phase2_{_DEMO}'),
    ('StructKD Pi', f'configs/structkd/structkd-pi_{_DEMO}'),
    ('StructKD Pi+Pa', f'configs/structkd/structkd-pi-pa_{_DEMO}'),
    ('StructKD Pi+Pa+Ho', f'configs/structkd/structkd-pi-pa-ho_{_DEMO}'),
    ('KD, teacher cache', f'configs/baselines/kd-cached_{_DEMO}'),
    ('FitNet, teacher cache', f'configs/baselines/fitnet-cached_{_DEMO}'),
    ('AVA logit KD', f'configs/ava/kd_{_AVA}'),
    ('AVA StructKD', f'configs/ava/structkd-pa-pi-ho_{_AVA}'),
    ('AVA GenKD', f'configs/ava/genkd_{_AVA}'),
    ('AVA GenKD+StructKD', f'configs/ava/genkd-structkd_{_AVA}'),
]
PENDING = []
PHASES = ('student', 'teacher', 'distill')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Time student-only, teacher-only and distillation '
        'steps of a distiller config; print a Markdown table.')
    parser.add_argument('config', nargs='?', help='distiller config')
    parser.add_argument('--all', action='store_true',
                        help='every demo method config (DEMO_CONFIGS), each '
                        'in its own process')
    parser.add_argument('--only', default=None,
                        help="with --all: the methods whose name contains "
                        "this text, e.g. 'AVA'")
    parser.add_argument('--iters', type=int, default=20,
                        help='timed iterations per phase (default: 20)')
    parser.add_argument('--repeats', type=int, default=1,
                        help='timed blocks of --iters iterations each; the '
                        'ratios are reported as mean ± sd over the blocks '
                        '(default: 1)')
    parser.add_argument('--warmup', type=int, default=3,
                        help='untimed iterations first (default: 3)')
    parser.add_argument('--data-batches', type=int, default=20,
                        help='batches timed for the data pipeline')
    parser.add_argument('--device', default='cpu', choices=('cpu', 'cuda'))
    parser.add_argument(
        '--amp', choices=('float16', 'bfloat16'), default=None,
        help="mixed precision: every optim wrapper becomes mmengine's "
        'AmpOptimWrapper with this dtype (GPU only in mmengine 0.10.7)')
    parser.add_argument(
        '--random-teacher', action='store_true',
        help='use a seeded random teacher instead of the config\'s '
        'checkpoints (teacher_ckpt, student_ckpt, distill-module '
        'checkpoints are dropped): timings do not depend on weights')
    parser.add_argument('--channels-last', action='store_true',
                        help='Conv3d weights in channels_last_3d for every '
                        'phase (what ChannelsLast3dHook does in training)')
    parser.add_argument('--no-memory', action='store_true',
                        help='skip the per-phase peak-memory processes')
    parser.add_argument('--json', help='write the results here')
    parser.add_argument('--markdown', help='write the table (and the '
                        'machine and command) to this Markdown file')
    parser.add_argument('--markdown-section', default='cpu',
                        help='the marked section of --markdown to replace '
                        '(default: cpu)')
    parser.add_argument('--memory-phase', choices=PHASES,
                        help=argparse.SUPPRESS)  # internal: one phase
    parser.add_argument('--teacher-stage', help=argparse.SUPPRESS)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, e.g. data_root=DIR')
    args = parser.parse_args(argv)
    if bool(args.config) == args.all:
        parser.error('give one CONFIG or --all')
    if args.amp and args.device != 'cuda':
        parser.error("--amp uses mmengine's AmpOptimWrapper, which mmengine "
                     '0.10.7 only allows on GPU/NPU/MLU/MUSA: add '
                     '--device cuda (the CPU bf16 path is covered by the '
                     'test suite)')
    return args


# ----------------------------------------------------------------------
# building
# ----------------------------------------------------------------------
def load_config(path, args):
    cfg = Config.fromfile(path)
    if args.cfg_options:
        old_root = cfg.get('data_root', None)
        cfg.merge_from_dict(args.cfg_options)
        reroot_dataset_paths(cfg, old_root)
    if args.random_teacher:
        use_random_teacher(cfg)
    if args.amp:
        enable_amp(cfg.optim_wrapper, args.amp)
    return cfg


def task_optim_cfg(cfg) -> dict:
    """The optim wrapper config of the distiller's task (student) step."""
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    if 'optimizer' in optim_cfg:
        return optim_cfg
    steps = cfg.model.get('train_steps') or []
    names = [s['optim_wrapper'] for s in steps if s.get('task_loss')]
    if len(names) != 1:
        raise ValueError('expected one train step with task_loss=True in '
                         f'cfg.model.train_steps, but got {steps}')
    entry = dict(optim_cfg[names[0]])
    entry.pop('modules', None)
    return entry


def preprocessor_cfg(model_cfg) -> dict:
    """The distiller's data preprocessor config (default: the student's),
    without building the student."""
    if model_cfg.get('data_preprocessor'):
        return model_cfg.data_preprocessor
    spec = model_cfg.student
    if isinstance(spec, str):
        spec = (get_config(spec) if '::' in spec else
                Config.fromfile(spec)).model
    return spec['data_preprocessor']


def build_distiller(cfg, device, channels_last=False):
    distiller = MODELS.build(cfg.model)
    distiller.init_weights()
    distiller = distiller.to(device).train()
    if channels_last:
        conv3d_channels_last(distiller)
    return distiller


def fetch_batches(cfg, n, num_workers=None):
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    if num_workers is not None:
        loader_cfg.update(num_workers=num_workers, persistent_workers=False)
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    batches = []
    for batch in loader:
        batches.append(batch)
        if len(batches) == n:
            break
    return batches


# ----------------------------------------------------------------------
# timing
# ----------------------------------------------------------------------
def _sync(device):
    if device == 'cuda':
        torch.cuda.synchronize()


def teacher_forward_calls(distiller, batches) -> list:
    """(b) for each batch: ``distiller.run_teacher``, as in a step.

    A detector teacher (``teacher_forward``) runs on the RoIs the student
    sampled: they are recorded here once per batch, untimed, from a student
    forward without autograd.
    """
    calls = []
    for batch in batches:
        data = distiller.data_preprocessor(batch, True)
        inputs, samples = data['inputs'], data['data_samples']
        records = None
        if distiller.teacher_forward is not None:
            with torch.no_grad(), \
                    distiller.student_records.recording() as records:
                distiller.student(inputs, samples, mode='loss')
        calls.append(functools.partial(distiller.run_teacher, inputs,
                                       samples, records))
    return calls


def method_step_calls(distiller, optim_wrapper, batches) -> list:
    """(m) for each batch: the train steps of the method's own optimizers
    (every step without ``task_loss``: StructKD's critic, GenKD's CVAE) as
    ``train_step`` runs them, on records of one forward made here, untimed,
    without autograd (those steps see the student's records detached).
    Empty when the method has no optimizer of its own."""
    steps = [s for s in distiller.train_steps if not s['task_loss']]
    if not steps:
        return []
    if distiller._step_params is None:
        distiller._collect_step_params(optim_wrapper)
    calls = []
    for batch in batches:
        with torch.no_grad():
            data = distiller.data_preprocessor(batch, True)
            _, records = distiller.run_models(data['inputs'],
                                               data['data_samples'])

        def call(records=records):
            for step in steps:
                wrapper = distiller._wrapper_for(optim_wrapper,
                                                 step['optim_wrapper'])
                others = distiller._step_params[step['optim_wrapper']]
                with distiller._only_step_params_trainable(others), \
                        wrapper.optim_context(distiller):
                    losses = distiller._step_losses(step, records, False)
                    loss, _ = distiller.parse_losses(losses)
                    wrapper.update_params(loss)
        calls.append(call)
    return calls


def _method_params(distiller, optim_wrapper) -> set:
    """ids of the parameters owned by the optimizers of the steps without
    ``task_loss`` (the method's own modules)."""
    ids = set()
    for step in distiller.train_steps:
        if not step['task_loss']:
            wrapper = distiller._wrapper_for(optim_wrapper,
                                             step['optim_wrapper'])
            ids |= {id(p) for group in wrapper.optimizer.param_groups
                    for p in group['params']}
    return ids


def _resolve(distiller, records, ref, cache):
    """The value of a reference (``student.x``, ``teacher.x``,
    ``derived[.key]``) on ``records``, as the distiller resolves it."""
    head, _, key = ref.partition('.')
    if head in ('student', 'teacher'):
        return records[head][key]
    if head not in cache:
        d = distiller.derived[head]
        kwargs = {a: _resolve(distiller, records, r, cache)
                  for a, r in d['inputs'].items()}
        kwargs.update({a: distiller._module_at(p)
                       for a, p in d.get('module_inputs', {}).items()})
        fn = getattr(distiller._derived_module(head),
                     d.get('method', 'forward'))
        cache[head] = fn(**kwargs)
    return cache[head][key] if key else cache[head]


def method_pass_calls(distiller, optim_wrapper, batches) -> list:
    """(m), task-step part, for each batch: the task step's losses that
    own parameters of the method's own optimizers (StructKD's generator term
    through the critic), forward and backward to their inputs, on leaf
    copies of their inputs (resolved here, untimed, without autograd), with
    the task step's parameters trainable as in ``train_step``. Empty when no
    such loss exists."""
    task = next(s for s in distiller.train_steps if s['task_loss'])
    owned = _method_params(distiller, optim_wrapper)
    names = [(name, method) for name, method in task['losses'].items()
             if any(id(p) in owned
                    for p in distiller.distill_losses[name].parameters())]
    if not names:
        return []
    if distiller._step_params is None:
        distiller._collect_step_params(optim_wrapper)
    wrapper = distiller._wrapper_for(optim_wrapper, task['optim_wrapper'])
    others = distiller._step_params[task['optim_wrapper']]
    calls = []
    for batch in batches:
        with torch.no_grad():
            data = distiller.data_preprocessor(batch, True)
            _, records = distiller.run_models(data['inputs'],
                                               data['data_samples'])
            cache = {}
            inputs = [(getattr(distiller.distill_losses[name], method),
                       {a: _resolve(distiller, records, r, cache)
                        for a, r in distiller.loss_inputs[name].items()})
                      for name, method in names]

        def call(inputs=inputs):
            with distiller._only_step_params_trainable(others), \
                    wrapper.optim_context(distiller):
                for fn, kwargs in inputs:
                    leaves = {a: v.detach().requires_grad_(
                        v.is_floating_point()) for a, v in kwargs.items()}
                    out = fn(**leaves)
                    out = sum(out.values()) if isinstance(out, dict) else out
                    grads = [v for v in leaves.values() if v.requires_grad]
                    torch.autograd.grad(out, grads, allow_unused=True)
        calls.append(call)
    return calls


def time_steps(cfg, args):
    """(a), (b), (c) interleaved; returns medians in seconds and metadata."""
    device = args.device
    distiller = build_distiller(cfg, device, args.channels_last)
    student = copy.deepcopy(distiller.student).train()
    optim_c = build_optim_wrapper(distiller, copy.deepcopy(cfg.optim_wrapper))
    optim_a = build_optim_wrapper(student, task_optim_cfg(cfg))
    teacher = distiller.teacher
    batches = fetch_batches(cfg, 4)
    teacher_runs = teacher_forward_calls(distiller, batches)
    method_runs = method_step_calls(distiller, optim_c, batches)
    pass_runs = method_pass_calls(distiller, optim_c, batches)

    def step_a(i):
        student.train_step(batches[i % len(batches)], optim_a)

    def step_b(i):
        with optim_a.optim_context(student):
            teacher_runs[i % len(batches)]()

    def step_c(i):
        distiller.train_step(batches[i % len(batches)], optim_c)

    def step_m(i):
        if method_runs:
            method_runs[i % len(batches)]()
        if pass_runs:
            pass_runs[i % len(batches)]()

    phases = dict(student=step_a, distill=step_c)
    if teacher is not None:
        phases['teacher'] = step_b
    if method_runs or pass_runs:
        phases['method'] = step_m
    times = {name: [] for name in phases}
    order = list(phases)
    rng = random.Random(0)
    for i in range(args.warmup + args.iters * args.repeats):
        rng.shuffle(order)
        for name in order:
            _sync(device)
            start = time.perf_counter()
            phases[name](i)
            _sync(device)
            if i >= args.warmup:
                times[name].append(time.perf_counter() - start)
    blocks = [{k: statistics.median(v[r * args.iters:(r + 1) * args.iters])
               for k, v in times.items()} for r in range(args.repeats)]
    return dict(
        median_s={k: statistics.median(v) for k, v in times.items()},
        block_median_s=blocks,
        batch_size=len(batches[0]['inputs']),
        teacher_stage=distiller.teacher_stage,
        cached=distiller.teacher_cache is not None,
        steps=len(distiller.train_steps))


def time_data(cfg, n_batches):
    """Clips/s of the train dataloader alone, with its configured workers."""
    loader = Runner.build_dataloader(copy.deepcopy(cfg.train_dataloader),
                                     seed=0)
    clips, start, count = 0, None, 0
    while count < n_batches:
        for batch in loader:  # epochs repeat until n_batches are timed
            if start is None:  # first batch: worker start-up, not timed
                start = time.perf_counter()
                continue
            clips += len(batch['inputs'])
            count += 1
            if count == n_batches:
                break
    return clips / (time.perf_counter() - start)


# ----------------------------------------------------------------------
# memory: one fresh process per phase
# ----------------------------------------------------------------------
def _proc_status_mb(key):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1]) / 1024
    raise KeyError(key)


def measure_memory_phase(cfg, args):
    """Peak memory of one phase, in MB over the pre-model baseline."""
    device = args.device
    batch = fetch_batches(cfg, 1, num_workers=0)[0]
    if device == 'cuda':
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated() / 2**20
    else:
        base = _proc_status_mb('VmRSS')
        try:  # reset the high-water mark to the current RSS
            with open('/proc/self/clear_refs', 'w') as f:
                f.write('5')
        except OSError:
            pass
    iters = max(args.iters, 1)
    if args.memory_phase == 'student':
        model = build_model_from_spec(cfg.model.student, 'student')
        model.init_weights()
        model = model.to(device).train()
        if args.channels_last:
            conv3d_channels_last(model)
        optim = build_optim_wrapper(model, task_optim_cfg(cfg))
        for _ in range(iters):
            model.train_step(batch, optim)
    elif args.memory_phase == 'teacher' and cfg.model.get('teacher_forward'):
        # A detector teacher needs the student's RoIs: build the distiller
        # and record them first, then count the teacher's weights exactly
        # and its forward's peak above that moment.
        distiller = build_distiller(cfg, device, args.channels_last)
        call = teacher_forward_calls(distiller, [batch])[0]
        weights = sum(t.numel() * t.element_size() for t in
                      list(distiller.teacher.parameters())
                      + list(distiller.teacher.buffers())) / 2**20
        base = _proc_status_mb('VmRSS') - weights
        if device == 'cuda':
            torch.cuda.reset_peak_memory_stats()
            base = torch.cuda.memory_allocated() / 2**20 - weights
        else:
            try:  # reset the high-water mark to the current RSS
                with open('/proc/self/clear_refs', 'w') as f:
                    f.write('5')
            except OSError:
                pass
        for _ in range(iters):
            call()
    elif args.memory_phase == 'teacher':
        distiller_cfg = cfg.model
        teacher = build_model_from_spec(distiller_cfg.teacher, 'teacher')
        teacher = teacher.to(device).eval()
        if args.channels_last:
            conv3d_channels_last(teacher)
        preprocessor = MODELS.build(preprocessor_cfg(distiller_cfg))
        inputs = preprocessor(batch, True)['inputs'].to(device)
        # as in (b) and in training: under AMP the teacher runs in bf16
        amp = autocast(device_type=device, dtype=getattr(torch, args.amp)) \
            if args.amp else nullcontext()
        with amp, torch.no_grad(), teacher_autocast(device):
            for _ in range(iters):
                teacher(inputs, mode='tensor', stage=args.teacher_stage)
    else:
        distiller = build_distiller(cfg, device, args.channels_last)
        optim = build_optim_wrapper(distiller,
                                    copy.deepcopy(cfg.optim_wrapper))
        for _ in range(iters):
            distiller.train_step(batch, optim)
    if device == 'cuda':
        peak = torch.cuda.max_memory_allocated() / 2**20
    else:
        peak = _proc_status_mb('VmHWM')
    return dict(phase=args.memory_phase, peak_mb=peak - base, base_mb=base)


def memory_in_subprocesses(config, args, teacher_stage, has_teacher):
    results = {}
    for phase in PHASES:
        if phase == 'teacher' and not has_teacher:
            continue
        cmd = [sys.executable, osp.abspath(__file__), config,
               '--memory-phase', phase, '--iters', '3',
               '--device', args.device, '--teacher-stage', teacher_stage]
        cmd += _shared_flags(args)
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        lines = [ln for ln in proc.stdout.splitlines()
                 if ln.startswith('MEMORY ')]
        if proc.returncode != 0 or not lines:
            raise RuntimeError(f'memory phase {phase!r} failed:\n'
                               + proc.stdout[-2000:] + proc.stderr[-3000:])
        results[phase] = json.loads(lines[-1][len('MEMORY '):])['peak_mb']
    return results


def _shared_flags(args):
    flags = []
    if args.random_teacher:
        flags.append('--random-teacher')
    if args.channels_last:
        flags.append('--channels-last')
    if args.amp:
        flags += ['--amp', args.amp]
    if args.cfg_options:
        flags.append('--cfg-options')
        flags += [f'{k}={_cli_value(v)}' for k, v in args.cfg_options.items()]
    return flags


def _cli_value(value):
    if isinstance(value, (list, tuple)):
        return '[' + ','.join(_cli_value(v) for v in value) + ']'
    return str(value)


# ----------------------------------------------------------------------
# one config
# ----------------------------------------------------------------------
def benchmark(config, args, method=None):
    cfg = load_config(config, args)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope',
                                                      'mmkd_video')):
        steps = time_steps(cfg, args)
        data_clips_s = time_data(cfg, args.data_batches)
    med = steps['median_s']
    a, c = med['student'], med['distill']
    b = med.get('teacher', 0.)
    m = med.get('method', 0.)
    result = dict(
        method=method or osp.splitext(osp.basename(config))[0],
        config=config, device=args.device, amp=args.amp,
        channels_last=args.channels_last,
        cached=steps['cached'], teacher_stage=steps['teacher_stage'],
        optimizers=steps['steps'], batch_size=steps['batch_size'],
        iters=args.iters, student_ms=a * 1e3, teacher_ms=b * 1e3,
        distill_ms=c * 1e3, method_ms=m * 1e3, ratio=c / (a + b),
        ratio_framework=c / (a + b + m), ratio_to_student=c / a,
        train_clips_s=steps['batch_size'] / c, data_clips_s=data_clips_s)
    result['data_over_train'] = data_clips_s / result['train_clips_s']
    if args.repeats > 1:
        result['repeats'] = spread_over_blocks(steps['block_median_s'])
    if not args.no_memory:
        mem = memory_in_subprocesses(config, args, steps['teacher_stage'],
                                     'teacher' in med)
        result.update(student_mb=mem['student'],
                      teacher_mb=mem.get('teacher', 0.),
                      distill_mb=mem['distill'])
    return result


# t(0.975, n - 1) for n = 2..10 blocks
_T975 = {2: 12.706, 3: 4.303, 4: 3.182, 5: 2.776, 6: 2.571, 7: 2.447,
         8: 2.365, 9: 2.306, 10: 2.262}


def spread_over_blocks(blocks) -> dict:
    """Per timed block: c/(a+b) and c/(a+b+m) from the block's medians;
    their mean, sd and 95 % t-interval of the mean over the blocks."""
    out = {}
    for key, with_m in (('ratio', False), ('ratio_framework', True)):
        values = [b['distill'] / (b['student'] + b.get('teacher', 0.)
                                  + (b.get('method', 0.) if with_m else 0.))
                  for b in blocks]
        mean, sd = statistics.mean(values), statistics.stdev(values)
        half = _T975.get(len(values), 1.96) * sd / len(values)**0.5
        out[key] = dict(blocks=values, mean=mean, sd=sd,
                        ci95=[mean - half, mean + half])
    return out


# ----------------------------------------------------------------------
# reporting
# ----------------------------------------------------------------------
HEADER = ('| method | (a) student step ms | (b) teacher fwd ms | '
          '(m) method modules ms | (c) distill step ms | c/(a+b) | '
          'c/(a+b+m) | c/a | train clips/s | '
          'data clips/s | data/train | peak MB student / teacher / distill '
          '| distill ≤ s + t |\n'
          '|---|---|---|---|---|---|---|---|---|---|---|---|---|')


def table_row(r: dict) -> str:
    if 'distill_mb' in r:
        mem = (f"{r['student_mb']:.0f} / {r['teacher_mb']:.0f} / "
               f"{r['distill_mb']:.0f}")
        fits = 'yes' if r['distill_mb'] <= r['student_mb'] + \
            r['teacher_mb'] else 'no'
    else:
        mem, fits = 'not measured', '-'
    method_ms = f"{r['method_ms']:.1f}" if r.get('method_ms') else '-'
    ratio = f"{r['ratio']:.3f}"
    framework = f"{r.get('ratio_framework', r['ratio']):.3f}"
    if r.get('repeats'):  # mean ± sd over the timed blocks
        ratio, framework = (
            f"{r['repeats'][k]['mean']:.3f} ± {r['repeats'][k]['sd']:.3f}"
            for k in ('ratio', 'ratio_framework'))
    return (f"| {r['method']} | {r['student_ms']:.1f} | "
            f"{r['teacher_ms']:.1f} | {method_ms} | {r['distill_ms']:.1f} | "
            f"{ratio} | {framework} | "
            f"{r['ratio_to_student']:.3f} | "
            f"{r['train_clips_s']:.1f} | {r['data_clips_s']:.1f} | "
            f"{r['data_over_train']:.1f} | {mem} | {fits} |")


def table(results) -> str:
    return '\n'.join([HEADER] + [table_row(r) for r in results])


def machine() -> str:
    cpu = platform.processor() or 'unknown CPU'
    try:
        with open('/proc/cpuinfo') as f:
            names = [ln.split(':', 1)[1].strip() for ln in f
                     if ln.startswith('model name')]
        cpu = f'{names[0]} x {len(names)} logical cores' if names else cpu
    except OSError:
        pass
    desc = (f'{cpu}; {platform.system()} {platform.release()}; Python '
            f'{platform.python_version()}; torch {torch.__version__} '
            f'(threads {torch.get_num_threads()}, OMP_NUM_THREADS='
            f"{os.environ.get('OMP_NUM_THREADS', 'unset')})")
    if torch.cuda.is_available():
        desc += f'; GPU {torch.cuda.get_device_name(0)}'
    return desc


def _run(cmd, what):
    proc = subprocess.run(cmd, cwd=REPO, text=True, capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f'{what} failed:\n' + proc.stdout[-2000:]
                           + proc.stderr[-4000:])


def cache_args(config, args, cache_root):
    """For a teacher-cache config: build its cache under ``cache_root``
    (with this run's flags) and return ``args`` pointing at it."""
    if not Config.fromfile(config).model.get('teacher_cache'):
        return args
    cache_dir = osp.join(cache_root, osp.splitext(osp.basename(config))[0])
    args = copy.copy(args)
    args.cfg_options = dict(args.cfg_options or {})
    args.cfg_options.update({'model.teacher_cache': cache_dir,
                             'train_dataloader.dataset.cache_dir': cache_dir})
    cmd = [sys.executable, osp.join(REPO, 'tools', 'build_teacher_cache.py'),
           config, '--device', args.device]
    cmd += ['--random-teacher'] if args.random_teacher else []
    cmd += ['--cfg-options'] + [f'{k}={_cli_value(v)}'
                                for k, v in args.cfg_options.items()]
    _run(cmd, 'cache build')
    return args


def run_all(args):
    results = []
    cache_root = tempfile.mkdtemp(prefix='teacher_cache_')
    for method, config in DEMO_CONFIGS:
        if args.only and args.only not in method:
            continue
        print(f'== {method}: {config}', flush=True)
        config_args = cache_args(config, args, cache_root)
        with tempfile.NamedTemporaryFile(suffix='.json') as out:
            cmd = [sys.executable, osp.abspath(__file__), config, '--json',
                   out.name, '--iters', str(args.iters), '--repeats',
                   str(args.repeats), '--warmup',
                   str(args.warmup), '--data-batches',
                   str(args.data_batches), '--device', args.device]
            cmd += ['--no-memory'] if args.no_memory else []
            cmd += _shared_flags(config_args)
            _run(cmd, config)
            with open(out.name) as f:
                result = json.load(f)[0]
        result['method'] = method
        print(table_row(result), flush=True)
        results.append(result)
    return results


def main(argv=None):
    args = parse_args(argv)
    mmkd_video.apply_compat_patches()  # bf16 runs need the head repair
    if args.memory_phase:
        cfg = load_config(args.config, args)
        with DefaultScope.overwrite_default_scope(
                cfg.get('default_scope', 'mmkd_video')):
            print('MEMORY ' + json.dumps(measure_memory_phase(cfg, args)))
        return
    if args.all:
        results = run_all(args)
    else:
        try:
            results = [benchmark(args.config, args)]
        except FileNotFoundError as error:
            if args.random_teacher or 'checkpoint' not in str(error):
                raise
            raise FileNotFoundError(
                f'{error} Timings do not depend on the weights: add '
                '--random-teacher to benchmark with a seeded random teacher '
                'instead.') from error
    text = table(results)
    print(text)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1)
    if args.markdown:
        # shlex.join keeps the quotes of '--only "AVA StructKD"', so the
        # recorded command reruns as it ran
        command = 'python tools/benchmark.py ' + shlex.join(
            argv if argv is not None else sys.argv[1:])
        block = (f'Machine: {machine()}\n\nCommand: `OMP_NUM_THREADS='
                 f"{os.environ.get('OMP_NUM_THREADS', '')} {command}`\n\n"
                 + text)
        if PENDING:
            block += '\n\nNot benchmarked yet: ' + '; '.join(PENDING)
        write_markdown(args.markdown, block, args.markdown_section)


def write_markdown(path: str, block: str, section: str) -> None:
    """Write ``block`` into ``path``: between the lines
    ``<!-- benchmark:SECTION -->`` and ``<!-- /benchmark:SECTION -->`` if
    the file has them (the rest of the page is kept), else as the file."""
    start = f'<!-- benchmark:{section} -->'
    end = f'<!-- /benchmark:{section} -->'
    text = open(path).read() if osp.isfile(path) else ''
    if start in text and end in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
        text = f'{head}{start}\n{block}\n{end}{tail}'
    else:
        text = f'{start}\n{block}\n{end}\n'
    with open(path, 'w') as f:
        f.write(text)


if __name__ == '__main__':
    # mmengine's per-parameter init_weights report is noise here
    MMLogger.get_instance('benchmark', log_level='WARNING')
    main()
