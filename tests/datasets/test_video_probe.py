"""Videos that crash the decoder in native code, decoded in child processes
before use; annotation files that are empty or hold labels out of range."""
import os
import os.path as osp
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from mmengine.logging import MMLogger
from wild_videos import ramp_frames, truncated_copy

from mmkd_video.datasets import DataFileError, video_probe, write_video
from mmkd_video.datasets.video_probe import decoder_of, probe_videos
from mmkd_video.registry import DATASETS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def decord_pipeline():
    return [
        dict(type='DecordInit'),
        dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=1,
             test_mode=True),
        dict(type='DecordDecode'),
        dict(type='Resize', scale=(-1, 32)),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ]


def noisy_xvid(path, seed):
    """A real XVID .avi (the generator's encoder) of 30 noisy frames."""
    frames = ramp_frames(30, 48, 64).astype(np.int16)
    frames += np.random.default_rng(seed).integers(-20, 20, frames.shape)
    write_video(path, np.clip(frames, 0, 255).astype(np.uint8))
    return path


@pytest.fixture
def video_set(tmp_path):
    """Four good XVID videos and a list with one truncated mid-file."""
    root = str(tmp_path / 'set')
    lines = []
    for i in range(4):
        noisy_xvid(osp.join(root, 'videos', f'v{i}.avi'), seed=i)
        lines.append(f'v{i}.avi {i % 2}')
    truncated_copy(osp.join(root, 'videos', 'v0.avi'),
                   osp.join(root, 'videos', 'cut.avi'), fraction=0.5)
    lines.insert(2, 'cut.avi 1')  # line 3
    with open(osp.join(root, 'train.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return root


def build(root, ann='train.txt', **kwargs):
    kwargs.setdefault('pipeline', decord_pipeline())
    kwargs.setdefault('probe_cache', None)
    return DATASETS.build(
        dict(type='CheckedVideoDataset', data_root=root, ann_file=ann,
             data_prefix=dict(video='videos'), **kwargs))


CRASH = textwrap.dedent('''
    import io, sys, decord
    reader = decord.VideoReader(io.BytesIO(open(sys.argv[1], 'rb').read()))
    reader.get_batch(list(range(len(reader)))).asnumpy()
''')


def test_truncated_avi_crashes_decord_but_not_the_probe(video_set, tmp_path,
                                                        monkeypatch):
    cut = osp.join(video_set, 'videos', 'cut.avi')
    good = osp.join(video_set, 'videos', 'v1.avi')
    noise = str(tmp_path / 'noise.avi')
    with open(noise, 'wb') as f:
        f.write(np.random.default_rng(0).bytes(3000))
    # The premise: decoding it the way DecordInit does kills the process.
    crash = subprocess.run([sys.executable, '-c', CRASH, cut],
                           capture_output=True)
    assert crash.returncode == -11, crash.stderr[-500:]
    cache = str(tmp_path / 'probe.json')
    reasons = probe_videos([good, cut, noise, good], 'decord',
                           cache_file=cache, workers=2)
    assert list(reasons) == [good, cut, noise]
    assert reasons[good] is None
    assert reasons[cut] == 'decord crashed the decoding process (SIGSEGV)'
    assert reasons[noise].startswith('decord raised ')
    # Known files are not decoded again: in this process (memory) nor in
    # another one (the cache file), unless they change.
    calls = []
    real = video_probe._probe_serial
    monkeypatch.setattr(video_probe, '_probe_serial',
                        lambda paths, *a: calls.append(paths) or real(
                            paths, *a))
    assert probe_videos([good, cut], 'decord', cache_file=cache) == {
        good: None, cut: reasons[cut]}
    monkeypatch.setattr(video_probe, '_MEMORY', {})
    assert probe_videos([good, cut], 'decord', cache_file=cache) == {
        good: None, cut: reasons[cut]}
    assert calls == []
    stat = os.stat(good)
    os.utime(good, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert probe_videos([good, cut], 'decord', cache_file=cache)[good] is None
    assert calls == [[good]]
    # Cut later, the same file decodes without a crash, into garbage
    # frames; FFmpeg's log says so.
    late = truncated_copy(good, str(tmp_path / 'late.avi'), fraction=0.9)
    assert probe_videos([late], 'decord', cache_file=None)[late].startswith(
        'decord logged damaged data: [mpeg4 @ ')
    # Another decoder is another question: OpenCV opens the cut file but
    # decodes fewer frames than its header promises.
    assert 'only' in probe_videos([cut], 'opencv', cache_file=None)[cut]


def test_a_hanging_decoder_is_named_and_not_cached(video_set, tmp_path):
    """A file whose read never ends (here a FIFO nobody writes to) costs
    the timeout, then the probe goes on with the next file."""
    fifo = str(tmp_path / 'stuck.avi')
    os.mkfifo(fifo)
    good = osp.join(video_set, 'videos', 'v1.avi')
    cache = str(tmp_path / 'probe.json')
    reasons = probe_videos([fifo, good], 'decord', cache_file=cache,
                           workers=1, timeout=3)
    assert reasons == {
        fifo: 'decord did not finish decoding it within 3 s', good: None}
    with open(cache) as f:  # a busy machine may have been the cause
        assert fifo not in f.read()


def test_dataset_names_a_video_that_crashes_the_decoder(video_set):
    with pytest.raises(DataFileError) as error:
        build(video_set)
    message = str(error.value)
    cut = osp.join(video_set, 'videos', 'cut.avi')
    # crashed, or (other memory layout, same undefined behaviour) decoded
    # garbage after FFmpeg logged errors: a corrupt file either way
    assert re.search(rf"line 3: 'cut.avi 1' -> {re.escape(repr(cut))} "
                     r'\(decord (crashed .*SIGSEGV|logged damaged data)',
                     message), message
    assert 'train.txt' in message and 'skip_corrupt=True' in message
    assert message.startswith('CheckedVideoDataset: 1 of 5 videos')
    # the same for an evaluation set (where nothing may be skipped)
    with pytest.raises(DataFileError,
                       match='(?s)cut.avi.*(SIGSEGV|logged damaged data)'):
        build(video_set, test_mode=True)


def test_skip_corrupt_drops_and_counts_a_crashing_video(video_set):
    logger = MMLogger.get_current_instance()
    with LogCapture(logger) as records:
        dataset = build(video_set, skip_corrupt=True)
    assert len(dataset) == 4 and dataset.num_corrupt_skipped == 1
    assert [e[:2] for e in dataset.corrupt_entries] == [(3, 'cut.avi 1')]
    assert any('cut.avi' in r and 'skipped' in r for r in records)
    # every remaining sample decodes in this process (no crash, no skip)
    labels = [dataset[i]['data_samples'].gt_label.item()
              for i in range(len(dataset))]
    assert labels == [0, 1, 0, 1] and dataset.num_corrupt_skipped == 1
    # opting out of the probe keeps every line (and the risk)
    assert len(build(video_set, skip_corrupt=True, probe_decode=False)) == 5


def test_probe_uses_the_pipelines_decoder(video_set):
    assert decoder_of(decord_pipeline()) == 'decord'
    assert decoder_of([dict(type='ReportFileErrors', transforms=[
        dict(type='mmaction.PyAVInit')])]) == 'pyav'
    assert decoder_of([dict(type='SampleFrames')]) is None
    pipeline = [dict(type='OpenCVInit'),
                dict(type='SampleFrames', clip_len=4, num_clips=1),
                dict(type='OpenCVDecode')]
    with pytest.raises(DataFileError,
                       match='(?s)with opencv.*only 13 decode') as error:
        build(video_set, pipeline=pipeline)
    assert "OpenCVInit does" in str(error.value)


@pytest.mark.slow
def test_training_loop_survives_a_crashing_video(video_set):
    """Plain mmaction2 dies with the decoder (SIGSEGV, no file named); ours
    skips the file and reads the others, also in DataLoader workers."""
    script = textwrap.dedent(f'''
        import sys
        from torch.utils.data import DataLoader
        from mmengine.dataset import pseudo_collate
        from mmengine.registry import init_default_scope
        import mmkd_video
        from mmkd_video.registry import DATASETS
        init_default_scope('mmkd_video')
        cfg = dict(type=sys.argv[1], data_root={video_set!r},
                   ann_file='train.txt', data_prefix=dict(video='videos'),
                   pipeline={decord_pipeline()!r})
        if sys.argv[1] == 'CheckedVideoDataset':
            cfg.update(skip_corrupt=True, probe_cache=None)
        dataset = DATASETS.build(cfg)
        seen = 0
        for batch in DataLoader(dataset, batch_size=1,
                                num_workers=int(sys.argv[2]),
                                collate_fn=pseudo_collate):
            seen += len(batch['inputs'])
        print('SEEN', seen)
    ''')
    env = dict(os.environ, PYTHONPATH=REPO)

    def run(dataset_type, workers):
        return subprocess.run(
            [sys.executable, '-c', script, dataset_type, str(workers)],
            capture_output=True, text=True, env=env, timeout=600)

    # in a forked worker the same bad read may or may not fault (heap
    # layout); in the main process it does
    plain = run('VideoDataset', 0)
    assert plain.returncode == -11, plain.stdout + plain.stderr[-2000:]
    for workers in (0, 2):
        ours = run('CheckedVideoDataset', workers)
        assert ours.returncode == 0, ours.stderr[-3000:]
        assert 'SEEN 4' in ours.stdout


# ------------------------------------------------------ annotation errors
def test_empty_annotation_file_names_it(video_set):
    open(osp.join(video_set, 'empty.txt'), 'w').close()
    with pytest.raises(ValueError) as error:
        build(video_set, ann='empty.txt')
    message = str(error.value)
    assert 'empty.txt' in message and 'is empty' in message
    assert '\n' not in message
    # mmaction2's own dataset fails deep in mmengine, naming nothing
    with pytest.raises(ValueError, match='need at least one array'):
        DATASETS.build(dict(type='VideoDataset', data_root=video_set,
                            ann_file='empty.txt', pipeline=[]))


def test_label_out_of_range_names_file_line_label_and_classes(video_set):
    with open(osp.join(video_set, 'labels.txt'), 'w') as f:
        f.write('v0.avi 0\nv1.avi 1\nv2.avi 99\n')
    with pytest.raises(ValueError) as error:
        build(video_set, ann='labels.txt', num_classes=10)
    message = str(error.value)
    assert '\n' not in message
    for part in ('line 3', 'labels.txt', 'label 99', 'num_classes=10',
                 '0..9'):
        assert part in message
    dataset = build(video_set, ann='labels.txt', num_classes=100)
    assert len(dataset) == 3
    # the same check against another class count (e.g. the model head's)
    with pytest.raises(ValueError, match=r"line 3 .*'v2.avi 99'.*label 99, "
                       'but num_classes=51'):
        dataset.check_labels(51)
    dataset.check_labels(100)  # in range: no error
    with open(osp.join(video_set, 'labels.txt'), 'w') as f:
        f.write('v0.avi 0\nv1.avi -1\n')
    with pytest.raises(ValueError, match='line 2.*label -1.*>= 0'):
        build(video_set, ann='labels.txt')


def test_rawframe_label_out_of_range(tmp_path):
    root = tmp_path / 'raw'
    (root / 'rawframes' / 'a').mkdir(parents=True)
    for i in (1, 2):
        (root / 'rawframes' / 'a' / f'img_{i:05d}.jpg').write_bytes(b'')
    (root / 'list.txt').write_text('a 2 0\na 2 7\n')
    with pytest.raises(ValueError, match=r"line 2 .*'a 2 7'.*label 7, but "
                       r'num_classes=5'):
        DATASETS.build(dict(type='CheckedRawframeDataset', data_root=str(root),
                            ann_file='list.txt', num_classes=5,
                            data_prefix=dict(img='rawframes'), pipeline=[]))


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
