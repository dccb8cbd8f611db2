"""Tests of the synthetic video generator, its layouts and checked datasets."""
import glob
import os
import os.path as osp
import shutil

import cv2
import decord
import numpy as np
import pytest
from mmengine import Config
from mmengine.logging import MMLogger

from mmkd_video.datasets import (CheckedVideoDataset, DataFileError,
                                 class_names, flip_label_map,
                                 generate_dataset, motion_states, plan_clips,
                                 render_clip, sample_appearance)
from mmkd_video.registry import DATASETS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs', '_base_', 'datasets')
TINY = dict(num_classes=4, videos_per_class=4, num_frames=12, size=32)
CLIP_LEN = 4


def video_pipeline(clip_len=CLIP_LEN):
    return [
        dict(type='DecordInit'),
        dict(type='SampleFrames', clip_len=clip_len, frame_interval=2,
             num_clips=1, test_mode=True),
        dict(type='DecordDecode'),
        dict(type='Resize', scale=(-1, 32)),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ]


def rawframe_pipeline(clip_len=CLIP_LEN):
    return [
        dict(type='SampleFrames', clip_len=clip_len, frame_interval=2,
             num_clips=1, test_mode=True),
        dict(type='RawFrameDecode'),
        dict(type='Resize', scale=(-1, 32)),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ]


@pytest.fixture(scope='module')
def all_layouts(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic')
    return generate_dataset(str(root), layout='all', seed=3, **TINY)


def read_decord(path):
    reader = decord.VideoReader(path)
    return reader.get_batch(list(range(len(reader)))).asnumpy()


def read_cv2(path):
    cap = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return np.stack(frames)


def read_rawframes(frame_dir):
    files = sorted(glob.glob(osp.join(frame_dir, 'img_*.jpg')))
    return np.stack([cv2.imread(f)[..., ::-1] for f in files])


def list_lines(path):
    with open(path) as f:
        return [line.split() for line in f.read().splitlines()]


def file_bytes(root, pattern):
    paths = sorted(glob.glob(osp.join(root, pattern), recursive=True))
    return {osp.relpath(p, root): open(p, 'rb').read() for p in paths}


# ---------------------------------------------------------------- classes
def test_class_names_and_flip_label_map():
    assert class_names(10)[:2] == ['MoveLeft', 'MoveRight']
    assert len(set(class_names(12))) == 12
    # Left/right, clockwise/counter-clockwise swap in a mirror; up/down,
    # grow/shrink do not.
    assert flip_label_map(10) == {0: 1, 1: 0, 4: 5, 5: 4, 8: 9, 9: 8}
    with pytest.raises(ValueError, match='RotateCounterclockwise'):
        flip_label_map(5)  # keeps RotateClockwise without its mirror
    with pytest.raises(ValueError, match='num_classes'):
        class_names(13)


def test_plan_is_balanced_and_split_by_group():
    plan = plan_clips(num_classes=10, videos_per_class=30)
    for split in ('train', 'val'):
        counts = np.bincount([c.label for c in plan if c.split == split])
        assert len(set(counts)) == 1 and counts[0] > 0, counts
    train_groups = {c.group for c in plan if c.split == 'train'}
    val_groups = {c.group for c in plan if c.split == 'val'}
    assert train_groups and val_groups and not train_groups & val_groups
    assert 0.2 <= sum(c.split == 'val' for c in plan) / len(plan) <= 0.35
    assert len({c.stem for c in plan}) == len(plan)  # unique file names


# ---------------------------------------------------------------- motion
def test_held_out_test_split_by_group(tmp_path):
    # the arena's plan: 30 groups of 5 per class, 8 val, 8 test, 14 train
    plan = plan_clips(num_classes=10, videos_per_class=150,
                      clips_per_group=5, val_ratio=0.27, test_ratio=0.27)
    counts = {s: sum(c.split == s for c in plan)
              for s in ('train', 'val', 'test')}
    assert counts == {'train': 700, 'val': 400, 'test': 400}
    groups = {s: {c.group for c in plan if c.split == s} for s in counts}
    assert not groups['test'] & (groups['train'] | groups['val'])
    with pytest.raises(ValueError, match='test_ratio'):
        plan_clips(val_ratio=0.5, test_ratio=0.5)
    with pytest.raises(ValueError, match='cannot hold'):
        plan_clips(videos_per_class=4, clips_per_group=2, val_ratio=0.3,
                   test_ratio=0.3)
    # no test_ratio: no test clips, the default plan is unchanged
    assert not any(c.split == 'test' for c in plan_clips())
    info = generate_dataset(str(tmp_path), num_classes=2, videos_per_class=6,
                            num_frames=4, size=32, clips_per_group=2,
                            val_ratio=0.34, test_ratio=0.34)
    assert (info['num_train'], info['num_val'], info['num_test']) == \
        (4, 4, 4)
    with open(info['ann_file_test']) as f:
        test_lines = f.read().splitlines()
    with open(info['ann_file_val']) as f:
        val_lines = f.read().splitlines()
    assert len(test_lines) == 4 and not set(test_lines) & set(val_lines)
    assert all('_g02_' in line for line in test_lines)  # group 2 of 3


def test_motion_states_follow_the_class():
    size, frames = 64, 16
    rng = np.random.default_rng(0)
    for _ in range(5):
        s = {i: motion_states(i, rng, frames, size) for i in range(12)}
        delta = {i: {k: v[-1] - v[0] for k, v in s[i].items()}
                 for i in s}
        assert delta[0]['cx'] < -0.25 * size < 0.25 * size < delta[1]['cx']
        assert delta[2]['cy'] < -0.25 * size < 0.25 * size < delta[3]['cy']
        assert delta[4]['angle'] > 100 and delta[5]['angle'] < -100
        assert delta[6]['diameter'] > 0.1 * size < -delta[7]['diameter']
        assert delta[10]['alpha'] > 0.5 and delta[11]['alpha'] < -0.5
        # Orbit direction: sign of the swept area (y points down, so a
        # positive cross product is clockwise on screen).
        for label, sign in ((8, 1), (9, -1)):
            x = s[label]['cx'] - s[label]['cx'].mean()
            y = s[label]['cy'] - s[label]['cy'].mean()
            assert sign * np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]) > 0
        for label, state in s.items():  # the object stays in the frame
            radius = state['diameter'] / 2
            for key in ('cx', 'cy'):
                assert np.all(state[key] - radius > -1), (label, key)
                assert np.all(state[key] + radius < size + 1), (label, key)


def test_single_frame_appearance_does_not_predict_the_class():
    """Nearest class mean on the colour of one frame is at chance level,
    while the same classifier on simple motion features is far above it."""
    num_classes, groups, size, frames = 10, 6, 32, 8
    colour, motion, labels, group_ids = [], [], [], []
    rng = np.random.default_rng(1)
    for group in range(groups):
        look = sample_appearance(np.random.default_rng([7, group]), size)
        for label in range(num_classes):
            clip, states = render_clip(
                label, look, np.random.default_rng([7, group, label]),
                frames, return_states=True)
            frame = clip[rng.integers(frames)].reshape(-1, 3)
            colour.append(np.concatenate([frame.mean(0), frame.std(0)]))
            x, y = states['cx'], states['cy']
            swept = np.sum(x[:-1] * y[1:] - x[1:] * y[:-1])  # orbit sense
            motion.append([v[-1] - v[0] for v in states.values()] + [swept])
            labels.append(label)
            group_ids.append(group)
    labels, group_ids = np.array(labels), np.array(group_ids)

    def leave_group_out_accuracy(features):
        features = np.asarray(features, np.float64)
        features = (features - features.mean(0)) / (features.std(0) + 1e-6)
        hits = 0
        for group in range(groups):
            train = group_ids != group
            means = np.stack([
                features[train & (labels == c)].mean(0)
                for c in range(num_classes)
            ])
            test = features[~train]
            dist = ((test[:, None] - means[None]) ** 2).sum(-1)
            hits += (dist.argmin(1) == labels[~train]).sum()
        return hits / len(labels)

    assert leave_group_out_accuracy(colour) < 0.3  # chance is 0.1
    assert leave_group_out_accuracy(motion) > 0.8


# ---------------------------------------------------------------- files
def test_layout_files(all_layouts):
    names = class_names(TINY['num_classes'])
    ucf = all_layouts['ucf101']
    root = ucf['data_root']
    assert root == all_layouts['rawframes']['data_root']  # as data/ucf101
    assert list_lines(ucf['class_ind']) == [[str(i + 1), n]
                                            for i, n in enumerate(names)]
    train = list_lines(ucf['ann_file_train'])
    official = list_lines(ucf['trainlist'])
    # mmaction2 lists: 0-based labels; official UCF101 lists: 1-based.
    assert [[p, str(int(lab) + 1)] for p, lab in train] == official
    assert [[p] for p, _ in list_lines(ucf['ann_file_val'])] == \
        list_lines(ucf['testlist'])
    for path, label in train:
        cls, name = path.split('/')
        assert names.index(cls) == int(label)
        assert name.startswith(f'v_{cls}_g') and name.endswith('.avi')
        assert osp.isfile(osp.join(root, 'videos', path))
    kin = all_layouts['kinetics']
    assert osp.basename(kin['data_root']) == 'kinetics400'
    for split in ('train', 'val'):
        for name, _ in list_lines(kin[f'ann_file_{split}']):
            assert '/' not in name and name.endswith('.mp4')
            assert osp.isfile(osp.join(kin['data_root'], f'videos_{split}',
                                       name))
    raw = all_layouts['rawframes']
    for frame_dir, total, label in list_lines(raw['ann_file_train']):
        assert int(total) == TINY['num_frames']
        assert osp.isfile(osp.join(root, 'rawframes', frame_dir,
                                   f'img_{TINY["num_frames"]:05d}.jpg'))
    train_groups = {p.split('_g')[1][:2] for p, _ in train}
    val_groups = {p.split('_g')[1][:2] for p, _ in
                  list_lines(ucf['ann_file_val'])}
    assert not train_groups & val_groups


@pytest.mark.parametrize('layout,ext', [('ucf101', 'avi'),
                                        ('kinetics', 'mp4'),
                                        ('hmdb51', 'avi')])
def test_videos_decode_with_decord_and_cv2(all_layouts, layout, ext):
    info = all_layouts[layout]
    expected = (TINY['num_frames'], TINY['size'], TINY['size'], 3)
    errors, swapped = [], []
    for rel, _ in list_lines(info['ann_file_val']):
        path = osp.join(info['data_prefix_val'], rel)
        assert path.endswith('.' + ext)
        rgb = read_decord(path).astype(float)
        assert rgb.shape == expected
        assert read_cv2(path).shape == expected
        # The same clip as JPEGs of the rawframes layout: content and
        # channel order (RGB vs BGR) agree up to compression.
        stem = osp.splitext(osp.basename(rel))[0]
        stem = stem if stem.startswith('v_') else 'v_' + stem
        cls = stem[2:].rsplit('_g', 1)[0]
        frames = read_rawframes(
            osp.join(all_layouts['rawframes']['data_prefix_val'], cls, stem))
        errors.append(np.abs(rgb - frames).mean())
        swapped.append(np.abs(rgb[..., ::-1] - frames).mean())
    assert np.mean(errors) < 6 < np.mean(swapped)


def test_same_seed_same_files_other_seed_other_frames(tmp_path):
    kwargs = dict(num_classes=2, videos_per_class=2, num_frames=8, size=32)
    runs = {}
    for name, seed in (('a', 5), ('b', 5), ('c', 6)):
        root = str(tmp_path / name)
        generate_dataset(root, layout='ucf101', seed=seed, **kwargs)
        generate_dataset(root, layout='rawframes', seed=seed, **kwargs)
        runs[name] = root
    texts = {n: file_bytes(r, '**/*.txt') for n, r in runs.items()}
    jpgs = {n: file_bytes(r, 'rawframes/**/*.jpg') for n, r in runs.items()}
    assert len(texts['a']) == 7 and len(jpgs['a']) == 4 * 8
    assert texts['a'] == texts['b'] and jpgs['a'] == jpgs['b']
    videos = sorted(glob.glob(osp.join(runs['a'], 'videos', '*', '*.avi')))
    for path in videos:
        twin = path.replace(runs['a'], runs['b'])
        np.testing.assert_array_equal(read_decord(path), read_decord(twin))
    # File names do not depend on the seed; the pictures do.
    assert texts['c'] == texts['a']
    assert jpgs['c'].keys() == jpgs['a'].keys()
    assert all(jpgs['c'][k] != jpgs['a'][k] for k in jpgs['a'])
    other = read_decord(videos[0].replace(runs['a'], runs['c']))
    assert np.abs(other.astype(float) - read_decord(videos[0])).mean() > 5


# ---------------------------------------------------------------- datasets
@pytest.mark.parametrize('layout,dataset_type,key', [
    ('ucf101', 'VideoDataset', 'video'),
    ('hmdb51', 'VideoDataset', 'video'),
    ('kinetics', 'VideoDataset', 'video'),
    ('ucf101', 'CheckedVideoDataset', 'video'),
    ('rawframes', 'RawframeDataset', 'img'),
    ('rawframes', 'CheckedRawframeDataset', 'img'),
])
def test_mmaction_datasets_read_layouts(all_layouts, layout, dataset_type,
                                        key):
    info = all_layouts[layout]
    names = info['class_names']
    pipeline = (rawframe_pipeline() if key == 'img' else video_pipeline())
    for split in ('train', 'val'):
        dataset = DATASETS.build(
            dict(type=dataset_type, ann_file=info[f'ann_file_{split}'],
                 data_prefix={key: info[f'data_prefix_{split}']},
                 pipeline=pipeline, test_mode=True))
        assert len(dataset) == info[f'num_{split}']
        labels = []
        for idx in range(len(dataset)):
            sample = dataset[idx]
            assert tuple(sample['inputs'].shape) == (1, 3, CLIP_LEN, 32, 32)
            label = int(sample['data_samples'].gt_label)
            source = dataset.get_data_info(idx).get(
                'filename', dataset.get_data_info(idx).get('frame_dir'))
            # The class name is part of every file name in every layout.
            assert osp.basename(source).replace('v_', '').startswith(
                names[label] + '_g')
            labels.append(label)
        assert np.bincount(labels).tolist() == \
            [len(labels) // len(names)] * len(names)


@pytest.mark.parametrize('config,layout,shape', [
    ('demo_video.py', 'ucf101', (1, 3, 8, 64, 64)),
    ('ucf101_split1_video.py', 'ucf101', (1, 3, 16, 224, 224)),
    ('hmdb51_split1_video.py', 'hmdb51', (1, 3, 16, 224, 224)),
    ('kinetics400_video.py', 'kinetics', (1, 3, 16, 224, 224)),
])
def test_base_configs_run_on_generated_data(all_layouts, monkeypatch,
                                            tmp_path, config, layout, shape):
    root = all_layouts[layout]['data_root']
    monkeypatch.chdir(tmp_path)  # no data/ here: default paths are missing
    # The one-variable override documented in the config headers.
    env = {'demo_video.py': 'MMKD_DATA_ROOT', 'ucf101_split1_video.py':
           'UCF101_ROOT', 'hmdb51_split1_video.py': 'HMDB51_ROOT',
           'kinetics400_video.py': 'KINETICS400_ROOT'}[config]
    monkeypatch.setenv(env, root)
    cfg = Config.fromfile(osp.join(CONFIGS, config))
    assert cfg.val_evaluator.type == 'AccMetric'
    for part in ('train', 'val', 'test'):
        dataset = DATASETS.build(cfg[f'{part}_dataloader'].dataset)
        assert isinstance(dataset, CheckedVideoDataset)
        assert len(dataset) == all_layouts[layout][
            'num_train' if part == 'train' else 'num_val']
    sample = dataset[0]  # test pipeline; check the val one's shape
    assert sample['inputs'].shape[0] >= 1
    val = DATASETS.build(cfg.val_dataloader.dataset)
    assert tuple(val[0]['inputs'].shape) == shape
    # The --cfg-options way: per-dataloader data_root.
    monkeypatch.delenv(env)
    cfg = Config.fromfile(osp.join(CONFIGS, config))
    with pytest.raises(FileNotFoundError, match='annotation file'):
        DATASETS.build(cfg.val_dataloader.dataset)
    cfg.merge_from_dict({'val_dataloader.dataset.data_root': root})
    assert len(DATASETS.build(cfg.val_dataloader.dataset)) > 0


def test_demo_flip_swaps_mirrored_labels(all_layouts):
    cfg = Config.fromfile(osp.join(CONFIGS, 'demo_video.py'))
    flip = [t for t in cfg.train_pipeline if t.type == 'Flip'][0]
    assert flip.flip_label_map == flip_label_map(cfg.num_classes)


# ---------------------------------------------------------------- bad input
@pytest.fixture
def small_copy(all_layouts, tmp_path):
    """A private copy of the UCF101 layout that a test may damage."""
    root = str(tmp_path / 'ucf101')
    shutil.copytree(all_layouts['ucf101']['data_root'], root,
                    ignore=shutil.ignore_patterns('rawframes'))
    return root


def build_checked(root, ann, **kwargs):
    return DATASETS.build(
        dict(type='CheckedVideoDataset', data_root=root, ann_file=ann,
             data_prefix=dict(video='videos'), pipeline=video_pipeline(),
             test_mode=True, **kwargs))


def test_missing_video_raises_one_error_naming_it(small_copy, monkeypatch):
    ann = 'ucf101_val_split_1_videos.txt'
    lines = list_lines(osp.join(small_copy, ann))
    victim = osp.join(small_copy, 'videos', lines[2][0])
    os.remove(victim)
    with pytest.raises(FileNotFoundError) as error:
        build_checked(small_copy, ann)
    message = str(error.value)
    assert '1 of 8 entries' in message and 'line 3' in message
    assert ann in message and victim in message and 'skip_missing' in message
    # mmaction2's own dataset accepts the list and only fails on decoding.
    plain = DATASETS.build(
        dict(type='VideoDataset', data_root=small_copy, ann_file=ann,
             data_prefix=dict(video='videos'), pipeline=video_pipeline(),
             test_mode=True))
    assert len(plain) == len(lines)

    logged = []
    monkeypatch.setattr('mmkd_video.datasets.checked_list.print_log',
                        lambda msg, **kw: logged.append(msg))
    dataset = build_checked(small_copy, ann, skip_missing=True)
    assert len(dataset) == len(lines) - 1 and dataset.num_missing == 1
    assert len(logged) == 1 and victim in logged[0]


def test_bad_annotation_lines(small_copy):
    ann = osp.join(small_copy, 'bad.txt')
    good = open(osp.join(small_copy, 'ucf101_val_split_1_videos.txt')).read()
    for bad_line, match in (('MoveLeft/nowhere.avi 0', 'line 2'),
                            ('MoveLeft/v_x.avi zero', 'line 2.*malformed'),
                            ('', 'line 2.*empty')):
        with open(ann, 'w') as f:
            f.write(good.splitlines()[0] + '\n' + bad_line + '\n')
        with pytest.raises((FileNotFoundError, ValueError), match=match):
            build_checked(small_copy, 'bad.txt')
    with pytest.raises(FileNotFoundError, match='no_such_list.txt'):
        build_checked(small_copy, 'no_such_list.txt')


def test_missing_frames_are_reported(all_layouts, tmp_path):
    raw = all_layouts['rawframes']
    root = str(tmp_path / 'raw')
    shutil.copytree(raw['data_prefix_val'], osp.join(root, 'rawframes'))
    shutil.copy(raw['ann_file_val'], root)
    frame_dir, total, _ = list_lines(raw['ann_file_val'])[1]
    last = osp.join(root, 'rawframes', frame_dir, f'img_{int(total):05d}.jpg')
    os.remove(last)
    with pytest.raises(FileNotFoundError, match='line 2') as error:
        DATASETS.build(
            dict(type='CheckedRawframeDataset', data_root=root,
                 ann_file=osp.basename(raw['ann_file_val']),
                 data_prefix=dict(img='rawframes'),
                 pipeline=rawframe_pipeline(), test_mode=True))
    assert last in str(error.value)


def test_corrupt_video_error_names_the_file(small_copy):
    ann = 'ucf101_val_split_1_videos.txt'
    victim = osp.join(small_copy, 'videos',
                      list_lines(osp.join(small_copy, ann))[0][0])
    with open(victim, 'wb') as f:
        f.write(np.random.default_rng(0).bytes(2000))
    # found when the dataset loads (decode probe, tests/datasets/
    # test_video_probe.py) ...
    with pytest.raises(DataFileError, match='line 1') as error:
        build_checked(small_copy, ann, probe_cache=None)
    assert victim in str(error.value)
    # ... and, without the probe, when the sample is decoded
    dataset = build_checked(small_copy, ann, probe_decode=False)
    assert dataset[1]['inputs'].shape[2] == CLIP_LEN  # others still load
    with pytest.raises(DataFileError, match='DecordInit failed') as error:
        dataset[0]
    assert victim in str(error.value) and ann in str(error.value)
    # The same for a plain mmaction2 dataset through the transform wrapper.
    pipeline = video_pipeline()
    plain = DATASETS.build(
        dict(type='VideoDataset', data_root=small_copy, ann_file=ann,
             data_prefix=dict(video='videos'), test_mode=True,
             pipeline=[dict(type='ReportFileErrors', transforms=pipeline[:3])
                       ] + pipeline[3:]))
    with pytest.raises(DataFileError, match='corrupt') as error:
        plain[0]
    assert victim in str(error.value)


def test_skip_corrupt_logs_counts_and_draws_another_sample(small_copy):
    ann = 'ucf101_val_split_1_videos.txt'
    lines = list_lines(osp.join(small_copy, ann))
    victim = osp.join(small_copy, 'videos', lines[0][0])
    with open(victim, 'wb') as f:
        f.write(np.random.default_rng(0).bytes(2000))
    dataset = DATASETS.build(
        dict(type='CheckedVideoDataset', data_root=small_copy, ann_file=ann,
             data_prefix=dict(video='videos'), pipeline=video_pipeline(),
             skip_corrupt=True, probe_decode=False))  # the runtime path
    logger = MMLogger.get_current_instance()
    with LogCapture(logger) as records:
        sample = dataset[0]  # training mode: another sample comes back
    assert sample['inputs'].shape[2] == CLIP_LEN
    assert dataset.num_corrupt_skipped >= 1
    warned = [r for r in records if 'skip_corrupt=True' in r]
    assert warned and victim in warned[0]
    # a failure that is not the file's (a broken pipeline step) still raises
    broken = DATASETS.build(
        dict(type='CheckedVideoDataset', data_root=small_copy, ann_file=ann,
             data_prefix=dict(video='videos'), skip_corrupt=True,
             probe_decode=False,
             pipeline=video_pipeline() + [dict(type='CenterCrop',
                                               crop_size=10 ** 6)]))
    with pytest.raises(DataFileError, match='CenterCrop'):
        broken[1]
    # evaluation sets cannot skip
    with pytest.raises(ValueError, match='training sets only'):
        DATASETS.build(
            dict(type='CheckedVideoDataset', data_root=small_copy,
                 ann_file=ann, data_prefix=dict(video='videos'),
                 pipeline=video_pipeline(), skip_corrupt=True,
                 test_mode=True))


class LogCapture:
    """Collect the messages an MMLogger emits inside the block."""

    def __init__(self, logger):
        self.logger, self.messages = logger, []

    def __enter__(self):
        import logging

        class Keep(logging.Handler):
            def emit(handler, record):
                self.messages.append(record.getMessage())

        self.handler = Keep()
        self.logger.addHandler(self.handler)
        return self.messages

    def __exit__(self, *exc):
        self.logger.removeHandler(self.handler)
