"""The arena's paired bookkeeping on tiny real runs: every arm of a seed
starts from the same saved student initialisation, sees the same clips in
the same order with the same augmentation, and a rerun of one arm with the
same seed and thread count gives identical numbers."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmkd_video.apis import merge_cfg_options
from mmkd_video.apis.arena_runs import (ARMS_BY_NAME, GENKD_P2, KD, REPO,
                                        STUDENT, STUDENT_LR, arena_config,
                                        arm_options,
                                        save_student_inits, select_arms)
from mmkd_video.datasets import generate_dataset
from mmkd_video.registry import MODELS

SEED = 3


@pytest.fixture(scope='module')
def arena(tmp_path_factory):
    """Tiny arena data (20 train, 10 val, 10 test clips), random teacher
    checkpoints, the seed's student initialisations."""
    root = tmp_path_factory.mktemp('arena')
    data = str(root / 'data')
    info = generate_dataset(data, num_classes=10, videos_per_class=4,
                            num_frames=16, size=64, seed=0,
                            clips_per_group=1, val_ratio=0.25,
                            test_ratio=0.25)
    assert (info['num_train'], info['num_val'], info['num_test']) == \
        (20, 10, 10)
    teachers = {}
    for name, model in (('teacher', 'demo_teacher_r3d18.py'),
                        ('genkd_phase1', 'demo_teacher_r3d18_genkd.py')):
        torch.manual_seed(0)
        cfg = Config.fromfile(
            osp.join(REPO, 'configs/_base_/models', model))
        path = str(root / f'{name}.pth')
        with DefaultScope.overwrite_default_scope('mmkd_video'):
            model = MODELS.build(cfg.model)
        torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
        teachers[name] = path
    inits = save_student_inits(SEED, str(root / 'init'))
    return dict(root=root, data=data, teachers=teachers, inits=inits)


class RecordBatches(Hook):
    """What each iteration saw (per-clip checksums, labels) and its loss."""

    def __init__(self):
        self.clips, self.losses, self.streams = [], [], []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        # where the global torch stream (dropout) stands
        self.streams.append(torch.get_rng_state())
        for clip, sample in zip(data_batch['inputs'],
                                data_batch['data_samples']):
            self.clips.append((float(clip.double().sum()),
                               float(clip.double().std()),
                               int(sample.gt_label)))

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.losses.append({k: float(v.detach()) for k, v in outputs.items()})


def build_runner(arena, arm_name, work_dir, epochs=1, seed=SEED):
    arm = ARMS_BY_NAME[arm_name]
    cfg = arena_config(arm.config, epochs)
    options = dict(o.split('=', 1) for o in arm_options(
        arm, arena['inits'], arena['teachers']))
    options = {k: _parse(v) for k, v in options.items()}
    options['data_root'] = arena['data']
    merge_cfg_options(cfg, options)
    cfg.work_dir = str(work_dir)
    cfg.randomness = dict(seed=seed, diff_rank_seed=False,
                          deterministic=False)
    cfg.default_hooks.logger.interval = 1
    return Runner.from_cfg(cfg)


def _parse(value):
    try:
        return float(value) if '.' in value else int(value)
    except ValueError:
        return value


def student_of(runner):
    model = runner.model
    return model.student if hasattr(model, 'student') else model


def test_select_arms_adds_primary_controls():
    names = [a.name for a in select_arms(['pi', 'genkd'])]
    assert names == ['kd_t1_w80', 'pi', 'genkd_fr', 'genkd']
    with pytest.raises(ValueError, match='unknown arm'):
        select_arms(['nope'])


def test_arena_config_moves_a_method_onto_the_arena():
    cfg = arena_config(ARMS_BY_NAME['pi_pa_ho'].config, 6)
    assert cfg.train_cfg.max_epochs == 6
    assert cfg.train_dataloader.dataset.data_root == 'data/arena'
    assert cfg.test_dataloader.dataset.ann_file.endswith(
        'ucf101_test_split_1_videos.txt')
    crop = [t for t in cfg.train_dataloader.dataset.pipeline
            if t['type'] == 'RandomCrop']
    assert crop[0]['size'] == 48
    # the critic's and the student's schedules both end at 6 epochs
    assert cfg.param_scheduler.student[1]['T_max'] == 6
    assert cfg.param_scheduler.discriminator[0]['end'] == 6
    assert all(h['type'] != 'TeacherValHook' for h in cfg.custom_hooks)
    # the student's AdamW at the arena's lr, the critic's Adam as configured
    assert cfg.optim_wrapper.student.optimizer.lr == STUDENT_LR
    assert cfg.optim_wrapper.discriminator.optimizer.lr == 1e-4
    genkd = arena_config(ARMS_BY_NAME['genkd'].config, 6).optim_wrapper
    assert genkd.network.optimizer.lr == STUDENT_LR
    assert genkd.cvae.optimizer.lr == 1e-3
    assert cfg.default_hooks.checkpoint.interval == 6
    # every arm has the same train dataloader: same data, order, transforms
    loaders = {a.name: arena_config(a.config, 6).train_dataloader.to_dict()
               for a in select_arms(None)}
    assert all(v == loaders['student'] for v in loaders.values())


def test_inits_are_saved_once_and_share_the_backbone(arena):
    inits = arena['inits']
    plain = torch.load(inits['plain'])['state_dict']
    genkd = torch.load(inits['genkd'])['state_dict']
    backbone = [k for k in plain if k.startswith('backbone.')]
    assert backbone and all(torch.equal(plain[k], genkd[k])
                            for k in backbone)
    assert any(k.startswith('neck.') for k in genkd)
    mtime = osp.getmtime(inits['plain'])
    again = save_student_inits(SEED, osp.dirname(inits['plain']))
    assert again == inits and osp.getmtime(inits['plain']) == mtime
    other = save_student_inits(SEED + 1, osp.dirname(inits['plain']))
    other_state = torch.load(other['plain'])['state_dict']
    assert not torch.equal(other_state[backbone[0]], plain[backbone[0]])


# one arm per way of loading (recognizer load_from, distiller student_ckpt
# with and without a critic, GenKD's student) in the default tier
_DEFAULT_TIER = ('student', 'kd', 'pi_pa_ho', 'genkd_fr')


@pytest.mark.parametrize('arm', [
    a if a in _DEFAULT_TIER else pytest.param(a, marks=pytest.mark.slow)
    for a in sorted(ARMS_BY_NAME)])
def test_every_arm_starts_from_the_saved_init(arena, tmp_path, arm):
    init = ARMS_BY_NAME[arm].init
    # another run seed than the init's: the Runner's own initialisation
    # under that seed differs, so equal weights mean the init was loaded
    runner = build_runner(arena, arm, tmp_path, seed=SEED + 1)
    # the order of Runner.train(): initialise, then load_from
    runner.model.init_weights()
    runner.load_or_resume()
    saved = torch.load(arena['inits'][init])['state_dict']
    state = student_of(runner).state_dict()
    assert set(saved) == set(state)
    differing = [k for k in saved if not torch.equal(saved[k], state[k])]
    assert differing == []


def test_same_order_and_identical_reruns(arena, tmp_path):
    torch.set_num_threads(1)
    seen = {}
    for name, arm in (('student', 'student'), ('student_again', 'student'),
                      ('kd', 'kd'), ('kd_again', 'kd')):
        runner = build_runner(arena, arm, tmp_path / name)
        hook = RecordBatches()
        runner.register_hook(hook)
        runner.train()
        seen[name] = (hook, {k: v.clone() for k, v in
                             student_of(runner).state_dict().items()})
    clips = seen['student'][0].clips
    assert len(clips) == 20  # one epoch of every training clip
    # the same clips, in the same order, with the same augmentation
    assert seen['kd'][0].clips == clips
    # the same dropout draws: KD's model construction (teacher, connectors)
    # drew more numbers, yet both arms stand at the same point of the
    # global stream at every iteration (TrainStartSeedHook)
    streams = seen['student'][0].streams
    assert len(streams) == len(seen['student'][0].losses) > 1
    assert all(torch.equal(a, b)
               for a, b in zip(streams, seen['kd'][0].streams))
    # the labels are not all one class: the check could fail
    assert len({c[2] for c in clips}) > 1
    for arm in ('student', 'kd'):
        first, again = seen[arm], seen[arm + '_again']
        assert first[0].clips == again[0].clips
        assert first[0].losses == again[0].losses  # bit-identical losses
        assert all(torch.equal(first[1][k], again[1][k]) for k in first[1])
    # the methods differ: KD's student ends elsewhere
    assert any(not torch.equal(seen['student'][1][k], seen['kd'][1][k])
               for k in seen['kd'][1] if k.endswith('weight'))
