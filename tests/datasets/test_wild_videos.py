"""Videos from the wild: other containers, codecs, sizes and frame counts
than the generator writes, through the checked datasets, mmaction2's three
decoders, the demo pipelines and a tools/train.py + tools/test.py run."""
import glob
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from mmengine import Config
from wild_videos import WILD, write_wild_set

from mmkd_video.datasets import DataFileError
from mmkd_video.registry import DATASETS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_DATA = osp.join(REPO, 'configs', '_base_', 'datasets', 'demo_video.py')
STUDENT = 'configs/baselines/student_r3d18-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
DECODERS = {
    'decord': ('DecordInit', 'DecordDecode'),
    'opencv': ('OpenCVInit', 'OpenCVDecode'),
    'pyav': ('PyAVInit', 'PyAVDecode'),
}


@pytest.fixture(scope='module')
def wild_set(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('wild'))
    return root, write_wild_set(root)


def build(root, pipeline, **kwargs):
    return DATASETS.build(
        dict(type='CheckedVideoDataset', data_root=root,
             ann_file='ucf101_val_split_1_videos.txt',
             data_prefix=dict(video='videos'), pipeline=pipeline,
             probe_cache=None, **dict(dict(test_mode=True), **kwargs)))


def ramp_index(frame, num_frames):
    """The frame index a decoded ramp frame shows (its grey level)."""
    width = frame.shape[1]
    level = frame[:, width // 4:].astype(float).mean()
    levels = 20 + np.arange(num_frames) * 200 // max(1, num_frames - 1)
    nearest = int(np.abs(levels - level).argmin())
    assert abs(levels[nearest] - level) < 6, (level, levels)
    return nearest


@pytest.mark.parametrize('decoder', sorted(DECODERS))
def test_each_decoder_reads_the_right_frames(wild_set, decoder):
    """Each mmaction2 decoder gets every file's size, frame count and the
    frames SampleFrames asks for (no shift from B-frames or index gaps)."""
    root, written = wild_set
    init, decode = DECODERS[decoder]
    pipeline = [
        dict(type=init),
        dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=2,
             test_mode=True),
        dict(type=decode)]
    names = [name for name, *_ in WILD]
    if decoder == 'pyav':
        # PyAVInit takes the frame count from the container, and Matroska
        # has none: the probe says so when the dataset loads
        with pytest.raises(DataFileError,
                           match=r"(?s)line 3: 'Class2/x264_odd.mkv 2' -> "
                           r"'/.*/Class2/x264_odd.mkv' \(pyav raised .*no "
                           'frame count.*DecordInit'):
            build(root, pipeline)
        dataset = build(root, pipeline, test_mode=False, skip_corrupt=True)
        names.remove('x264_odd.mkv')
    else:
        dataset = build(root, pipeline)
    assert len(dataset) == len(names)
    for i, name in enumerate(names):
        _, num_frames, height, width, label = written[name]
        results = dataset[i]
        assert osp.basename(results['filename']) == name
        assert results['total_frames'] == num_frames, (decoder, name)
        assert results['original_shape'] == (height, width)
        assert results['label'] == label
        indices = [ramp_index(frame, num_frames) for frame in results['imgs']]
        # SampleFrames loops past the end of short videos (frame_inds mod n)
        assert indices == list(results['frame_inds'] % num_frames), name


def test_demo_pipelines_on_wild_videos(wild_set):
    """The demo config's train and val pipelines give its input shape."""
    root, _ = wild_set
    cfg = Config.fromfile(DEMO_DATA)
    for pipeline in (cfg.train_pipeline, cfg.val_pipeline):
        dataset = build(root, pipeline)
        for i in range(len(dataset)):
            sample = dataset[i]
            assert tuple(sample['inputs'].shape) == (1, 3, cfg.clip_len, 64,
                                                     64)
            label = sample['data_samples'].gt_label.item()
            # the train pipeline's flip may swap mirrored labels
            assert label in (i, cfg.flip_label_map.get(i, i))


@pytest.mark.slow
def test_train_and_test_on_wild_videos(wild_set, tmp_path):
    """One epoch of the demo student with tools/train.py, then tools/test.py,
    on the wild videos: only data_root points at them."""
    root, _ = wild_set
    work = str(tmp_path / 'work')
    short = ['train_dataloader.batch_size=2', 'val_dataloader.batch_size=2',
             'test_dataloader.batch_size=2', 'train_cfg.max_epochs=1',
             'train_dataloader.num_workers=1',
             'val_dataloader.num_workers=0', 'test_dataloader.num_workers=0',
             'val_dataloader.persistent_workers=False',
             'test_dataloader.persistent_workers=False']
    train = subprocess.run(
        [sys.executable, 'tools/train.py', STUDENT, '--work-dir', work,
         '--cfg-options', f'data_root={root}'] + short,
        cwd=REPO, capture_output=True, text=True, timeout=900)
    assert train.returncode == 0, train.stdout[-3000:] + train.stderr[-3000:]
    scalars = glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json'))
    records = [json.loads(line) for line in open(scalars[0])]
    # an epoch of the 5 wild videos in batches of 2 is 3 iterations
    assert [r['iter'] for r in records if 'loss' in r][-1] == 3
    assert any('acc/top1' in r for r in records)
    test = subprocess.run(
        [sys.executable, 'tools/test.py', STUDENT,
         osp.join(work, 'epoch_1.pth'), '--work-dir', work, '--cfg-options',
         f'data_root={root}'] + short,
        cwd=REPO, capture_output=True, text=True, timeout=900)
    assert test.returncode == 0, test.stdout[-3000:] + test.stderr[-3000:]
    assert 'acc/top1' in test.stdout + test.stderr
