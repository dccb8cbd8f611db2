"""The distillation arena's arms and its paired bookkeeping (tools/arena.py).

An *arm* is a method config of ``configs/`` (the KD, StructKD, GenKD, FitNet
and AT configs of the demo pair) moved onto the arena: its dataloaders
replaced by the arena data's (``configs/_base_/datasets/arena_video.py``),
its schedule stretched or shrunk to the arena's epochs, its options (loss
weights, the teacher checkpoint, the student initialisation) set. The merged
config is written into the run's work dir (``arm_config.py``) and trained
with ``tools/train.py``, so every run can be repeated by hand.

Paired design, per seed ``s``:

* one student initialisation per seed, saved once (:func:`save_student_inits`)
  and loaded by every arm: the plain student through ``load_from``, the
  distillers through ``model.student_ckpt``. GenKD's student (the same
  backbone + projection, attention neck and CVAE) gets its own file whose
  backbone is the plain one's, so its arms are paired with each other and,
  for the backbone, with the plain arms;
* the same data order and augmentation stream: every arm has the same train
  dataloader and the run seed ``s`` (the sampler shuffles with it; the
  workers' augmentation draws are seeded from it and run in the worker
  processes, apart from the model's draws);
* method randomness (CVAE noise, the critic's interpolation) comes from the
  methods' own generators where they have them (see the losses).
"""
import logging
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope

from mmkd_video.registry import MODELS

# the source checkout (configs/ and tools/ are read from it)
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ARENA_DATA = 'configs/_base_/datasets/arena_video.py'
TEACHER = 'configs/baselines/teacher_r3d18-w32_1xb8-8x2x1-20e_synthetic-rgb.py'
STUDENT = 'configs/baselines/student_r3d18-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
KD = 'configs/baselines/kd_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
FITNET = ('configs/baselines/fitnet_r3d18-w32-to-w8_1xb8-8x2x1-20e_'
          'synthetic-rgb.py')
STRUCTKD = ('configs/structkd/structkd-{}_r3d18-w32-to-w8_1xb8-8x2x1-20e_'
            'synthetic-rgb.py')
GENKD_P1 = 'configs/genkd/genkd-phase1_r3d18-w32_1xb8-8x2x1-6e_synthetic-rgb.py'
GENKD_P2 = ('configs/genkd/genkd-phase2_r3d18-w32-to-w8_'
            '1xb8-8x2x1-20e_synthetic-rgb.py')
# the arena's students (the demo student with 3D kernels in the stem and the
# last stage only) and the demo students they replace in the method configs
STUDENT_MODEL = 'configs/_base_/models/arena_student_r3d18-w8-stem3d-late3d.py'
# The student's AdamW learning rate in every arm (the configs': 2e-3). Chosen
# on val with the student alone: at 2e-3 the arena's student stalls at chance
# for the whole 6 epochs in some seeds (see STUDENT_MODEL's file); at 5e-3
# every seed took off (val 47-70 %). The critic's and the CVAE's optimizers
# (Adam) keep the configs' settings.
STUDENT_LR = 5e-3
# 700 clips / batch 8 = 88 iterations an epoch: two diagnostic passes each
DIAGNOSTICS_INTERVAL = 44
GENKD_STUDENT_MODEL = ('configs/_base_/models/'
                       'arena_student_r3d18-w8-stem3d-late3d_genkd.py')
_SWAP = {'demo_student_r3d18_tiny.py': STUDENT_MODEL,
         'demo_student_r3d18_tiny_genkd.py': GENKD_STUDENT_MODEL}
# the data the arena base expects (data/arena): 700 / 400 / 400 clips
DATA_ARGS = ('--videos-per-class', '150', '--clips-per-group', '5',
             '--val-ratio', '0.27', '--test-ratio', '0.27', '--frames', '16',
             '--size', '64')


@dataclass(frozen=True)
class Arm:
    """One row of the arena.

    Args:
        name (str): Short key (run folders, JSON).
        label (str): The row's text in the report.
        config (str): Method config, relative to the repository.
        options (tuple[str]): ``key=value`` overrides (loss weights...).
        controls (tuple[str]): Matched controls, the first the primary one
            (the question the row answers); empty for the student alone.
        init (str): ``'plain'`` or ``'genkd'``: which saved student
            initialisation the arm loads.
        teacher (str, optional): ``'teacher'`` (the trained teacher),
            ``'genkd_phase1'`` (the teacher with its trained GenKD neck) or
            None (no teacher).
    """
    name: str
    label: str
    config: str
    options: Tuple[str, ...] = ()
    controls: Tuple[str, ...] = ()
    init: str = 'plain'
    teacher: Optional[str] = 'teacher'


_NO_GENKD_TERMS = ('model.distill_losses.gd.loss_weight=0.0',
                   'model.distill_losses.ad.loss_weight=0.0')
ARMS: Tuple[Arm, ...] = (
    Arm('student', 'student alone', STUDENT, teacher=None),
    Arm('kd', 'logit KD (tau 4, w 1)', KD, controls=('student', )),
    Arm('kd_t1_w80', 'logit KD at Pi\'s tau 1, w 80', KD,
        ('model.distill_losses.kd.tau=1.0',
         'model.distill_losses.kd.loss_weight=80.0'),
        controls=('student', )),
    Arm('pi', 'StructKD Pi (tau 1, w 80)', STRUCTKD.format('pi'),
        controls=('kd_t1_w80', 'student')),
    Arm('pi_pa', 'StructKD Pi + Pa', STRUCTKD.format('pi-pa'),
        controls=('pi', 'student')),
    Arm('pi_pa_ho', 'StructKD Pi + Pa + Ho', STRUCTKD.format('pi-pa-ho'),
        controls=('pi_pa', 'student')),
    Arm('fitnet', 'FitNet hint (last stage, w 1)', FITNET,
        controls=('student', )),
    Arm('genkd_fr', 'GenKD Feature Representation only', GENKD_P2,
        _NO_GENKD_TERMS, controls=('student', ), init='genkd',
        teacher='genkd_phase1'),
    Arm('genkd_ad', 'GenKD FR + AD', GENKD_P2,
        ('model.distill_losses.gd.loss_weight=0.0', ),
        controls=('genkd_fr', ), init='genkd', teacher='genkd_phase1'),
    Arm('genkd_gd', 'GenKD FR + GD', GENKD_P2,
        ('model.distill_losses.ad.loss_weight=0.0', ),
        controls=('genkd_fr', ), init='genkd', teacher='genkd_phase1'),
    Arm('genkd', 'GenKD (full)', GENKD_P2, controls=('genkd_fr', ),
        init='genkd', teacher='genkd_phase1'),
)
ARMS_BY_NAME: Dict[str, Arm] = {arm.name: arm for arm in ARMS}


def select_arms(names: Optional[Sequence[str]]) -> List[Arm]:
    """The arms named (all when None), each with every control it needs."""
    if names is None:
        return list(ARMS)
    unknown = [n for n in names if n not in ARMS_BY_NAME]
    if unknown:
        raise ValueError(f'unknown arm(s) {unknown}; the arms are '
                         f'{[a.name for a in ARMS]}')
    wanted = set(names)
    for name in names:  # a row is reported against its primary control
        controls = ARMS_BY_NAME[name].controls
        if controls:
            wanted.add(controls[0])
    return [arm for arm in ARMS if arm.name in wanted]


# --------------------------------------------------------------------------
# configs
# --------------------------------------------------------------------------
def _rescale_schedulers(schedulers, old: int, new: int):
    """Every by-epoch ``end``/``T_max`` equal to the old length -> new."""
    if isinstance(schedulers, dict) and 'type' not in schedulers:
        return {k: _rescale_schedulers(v, old, new)
                for k, v in schedulers.items()}  # one list per optimizer
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    out = []
    for sched in schedulers:
        sched = dict(sched)
        for key in ('end', 'T_max'):
            if sched.get(key) == old:
                sched[key] = new
        out.append(sched)
    return out


def arena_config(config: str, epochs: int, swap_student: bool = True
                 ) -> Config:
    """A method config moved onto the arena: its data, its length, its
    student.

    The demo student (a distiller's ``student`` path, or the model of the
    student-alone config) becomes the arena's (:data:`STUDENT_MODEL`, or
    :data:`GENKD_STUDENT_MODEL` for GenKD's); the dataloaders and
    evaluators become :data:`ARENA_DATA`'s; by-epoch
    schedulers that ended at the config's own length end at ``epochs``;
    the teacher's one-off validation (``TeacherValHook``) is dropped: the
    arena's teacher is the same in every arm and reported once. Student
    arms get ``TrainStartSeedHook`` (paired dropout draws) and, when they
    distil, ``DistillDiagnosticsHook`` every :data:`DIAGNOSTICS_INTERVAL`
    iterations.

    Args:
        config (str): Config path, relative to the repository.
        epochs (int): Training epochs.
        swap_student (bool): Replace the demo student (False for the
            teacher and GenKD phase 1). Defaults to True.

    Returns:
        Config: The merged config. The arm's options (weights, the student
        initialisation, the teacher checkpoint) go on the command line.
    """
    cfg = Config.fromfile(osp.join(REPO, config))
    if swap_student:
        _swap_student(cfg, config)
    data = Config.fromfile(osp.join(REPO, ARENA_DATA))
    for key in ('data_root', 'ann_file_train', 'ann_file_val',
                'ann_file_test', 'train_pipeline', 'val_pipeline',
                'test_pipeline', 'train_dataloader', 'val_dataloader',
                'test_dataloader', 'val_evaluator', 'test_evaluator'):
        cfg[key] = data[key]
    old = cfg.train_cfg.max_epochs
    cfg.train_cfg.max_epochs = epochs
    if 'max_epochs' in cfg:  # the configs' own copy, read by nothing else
        cfg.max_epochs = epochs
    cfg.param_scheduler = _rescale_schedulers(cfg.param_scheduler, old,
                                              epochs)
    hooks = [h for h in cfg.get('custom_hooks', [])
             if h.get('type') != 'TeacherValHook']
    if swap_student:
        # every arm starts training at the same point of the global stream
        # (dropout), whatever its model construction drew
        hooks.append(dict(type='TrainStartSeedHook'))
    if swap_student and cfg.model.type == 'VideoDistiller':
        # the report's per-term gradient ratios and attention spread; twice
        # an epoch (88 iterations): ~1 extra iteration per term each time
        hooks.append(dict(type='DistillDiagnosticsHook',
                          interval=DIAGNOSTICS_INTERVAL))
    cfg.custom_hooks = hooks
    if swap_student:
        _set_student_lr(cfg.optim_wrapper, config)
    # the report reads the last epoch only and a run is redone whole when
    # interrupted: one checkpoint at the end, no best-epoch copies (~2 s an
    # epoch saved)
    cfg.default_hooks.checkpoint.update(interval=epochs, save_best=None)
    return cfg


def _set_student_lr(optim_wrapper, config: str) -> None:
    """The arm's one AdamW (the student's, or GenKD's network's; the critic
    and the CVAE use Adam) -> :data:`STUDENT_LR`."""
    wrappers = ([optim_wrapper] if 'optimizer' in optim_wrapper else
                [v for v in optim_wrapper.values() if isinstance(v, dict)
                 and 'optimizer' in v])
    students = [w.optimizer for w in wrappers
                if w.optimizer.get('type') == 'AdamW']
    if len(students) != 1:
        raise ValueError(f'{config}: expected one AdamW (the student\'s) '
                         f'among its optimizers, found {len(students)}; the '
                         'arena sets the student learning rate there')
    students[0].lr = STUDENT_LR


def _swap_student(cfg: Config, config: str) -> None:
    student = cfg.model.get('student')
    if cfg.model.type == 'VideoDistiller' and isinstance(student, str):
        name = osp.basename(student)
        if name not in _SWAP:
            raise ValueError(f'{config}: its student {student!r} is not a '
                             f'demo student {sorted(_SWAP)}; the arena '
                             'does not know what to replace it with')
        cfg.model.student = osp.join(REPO, _SWAP[name])
    elif osp.join(REPO, config) == osp.join(REPO, STUDENT):
        cfg.model = Config.fromfile(osp.join(REPO, STUDENT_MODEL)).model
    else:
        raise ValueError(f'{config} is neither a distiller with a demo '
                         'student nor the student-alone config; pass '
                         'swap_student=False for a teacher')


def arm_options(arm: Arm, inits: Dict[str, str],
                teachers: Dict[str, str]) -> List[str]:
    """The arm's options plus its initialisation and teacher checkpoint."""
    options = list(arm.options)
    if arm.teacher is None:  # a plain recognizer: the Runner loads it
        options.append(f'load_from={inits[arm.init]}')
    else:
        options.append(f'model.student_ckpt={inits[arm.init]}')
        options.append(f'model.teacher_ckpt={teachers[arm.teacher]}')
    return options


# --------------------------------------------------------------------------
# the saved student initialisations
# --------------------------------------------------------------------------
def _build(model_config: str):
    cfg = Config.fromfile(osp.join(REPO, model_config))
    with DefaultScope.overwrite_default_scope('mmkd_video'):
        model = MODELS.build(cfg.model)
    # init_weights logs every parameter at INFO: keep the console short
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)
    return model


def save_student_inits(seed: int, out_dir: str) -> Dict[str, str]:
    """Save the student initialisations of one seed (once; reused after).

    ``plain``: the student recognizer initialised under
    ``torch.manual_seed(seed)``. ``genkd``: GenKD's student (projection,
    attention neck, CVAE, a 256-channel head) initialised under the same
    seed, its backbone then overwritten by the plain one's, so the two
    families share the backbone's starting point.

    Returns:
        dict[str, str]: ``{'plain': path, 'genkd': path}``.
    """
    os.makedirs(out_dir, exist_ok=True)
    paths = {name: osp.join(out_dir, f'student_{name}_seed{seed}.pth')
             for name in ('plain', 'genkd')}
    if all(osp.isfile(p) for p in paths.values()):
        return paths
    torch.manual_seed(seed)
    plain = _build(STUDENT_MODEL).state_dict()
    torch.manual_seed(seed)
    genkd = _build(GENKD_STUDENT_MODEL).state_dict()
    for key, value in plain.items():
        if key.startswith('backbone.'):
            genkd[key] = value.clone()
    meta = dict(seed=seed, note='arena student initialisation')
    for name, state in (('plain', plain), ('genkd', genkd)):
        torch.save(dict(state_dict=state, meta=dict(meta, family=name)),
                   paths[name] + '.tmp')
        os.replace(paths[name] + '.tmp', paths[name])
    return paths
