"""The synthetic AVA generator, read by mmaction2's AVADataset/AVAMetric, and
CheckedAVADataset's errors on bad annotation files."""
import filecmp
import os
import os.path as osp
import pickle
import shutil

import numpy as np
import pytest
import torch
from mmaction.datasets import AVADataset
from mmaction.evaluation import AVAMetric

from mmkd_video.datasets import (AVA_ACTIONS, CheckedAVADataset,
                                 generate_ava_dataset)

KEYFRAMES = (902, 905)


def val_pipeline():
    return [
        dict(type='SampleAVAFrames', clip_len=4, frame_interval=4,
             test_mode=True),
        dict(type='RawFrameDecode'),
        dict(type='FormatShape', input_format='NCTHW', collapse=True),
        dict(type='PackActionInputs'),
    ]


def dataset_args(info, split='train', pipeline=None):
    return dict(
        ann_file=info[f'ann_file_{split}'],
        exclude_file=info[f'exclude_file_{split}'],
        label_file=info['label_file'],
        proposal_file=info[f'proposal_file_{split}'],
        data_prefix=dict(img=info['data_root']),
        num_classes=info['num_classes'],
        timestamp_start=info['timestamp_start'],
        timestamp_end=info['timestamp_end'],
        pipeline=pipeline or [], test_mode=split == 'val')


@pytest.fixture(scope='module')
def ava(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('ava'))
    return generate_ava_dataset(root, num_train_videos=2, num_val_videos=1,
                                keyframes=KEYFRAMES, size=64, seed=0)


def read_rows(path):
    return [line.strip().split(',') for line in open(path)]


def test_files_in_mmaction2_layout(ava):
    root = osp.dirname(ava['data_root'])
    assert ava['data_root'] == osp.join(root, 'rawframes')
    assert osp.basename(ava['ann_file_train']) == 'ava_train_v2.2.csv'
    # frames span timestamp_start..timestamp_end at 30 fps
    frames = sorted(os.listdir(osp.join(ava['data_root'], 'syntrain000')))
    seconds = ava['timestamp_end'] - ava['timestamp_start']
    assert len(frames) == 30 * seconds
    assert frames[0] == 'img_00001.jpg'
    assert (ava['timestamp_start'], ava['timestamp_end']) == (900, 907)


def test_mmaction2_avadataset_reads_generated_files(ava):
    ds = AVADataset(**dataset_args(ava, 'val', val_pipeline()))
    assert len(ds) == ava['num_keyframes_val']
    excluded = {line.strip() for line in open(ava['exclude_file_val'])}
    proposals = pickle.load(open(ava['proposal_file_val'], 'rb'))
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        assert info['img_key'] not in excluded
        # proposals come from the file (above AVADataset's 0.9 threshold)
        kept = proposals[info['img_key']]
        kept = kept[kept[:, 4] >= 0.9]
        np.testing.assert_allclose(info['proposals'], kept[:, :4])
        labels = info['gt_labels']
        assert labels.shape[1] == len(AVA_ACTIONS) + 1
        assert labels[:, 0].sum() == 0 and (labels.sum(1) >= 1).all()
    sample = ds[0]
    assert tuple(sample['inputs'].shape) == (3, 4, 64, 64)  # collapsed
    boxes = sample['data_samples'].gt_instances.bboxes
    assert boxes.max() <= 64 and boxes.max() > 1  # pixels, not normalised


def test_avametric_scores_ground_truth_as_perfect(ava, tmp_path, monkeypatch):
    """AVAMetric reads the CSV, label map and exclusions: the ground truth
    itself gets mAP 1, a shuffled labelling much less."""
    monkeypatch.chdir(tmp_path)  # AVAMetric writes a temporary CSV here
    ds = AVADataset(**dataset_args(ava, 'val'))

    def evaluate(shuffle):
        metric = AVAMetric(ann_file=ava['ann_file_val'],
                           exclude_file=ava['exclude_file_val'],
                           label_file=ava['label_file'],
                           num_classes=ava['num_classes'])
        rng = np.random.default_rng(0)
        outputs = []
        for i in range(len(ds)):
            info = ds.get_data_info(i)
            scores = info['gt_labels'].copy()
            if shuffle:
                scores = scores[:, rng.permutation(scores.shape[1])]
            outputs.append(dict(
                video_id=info['video_id'], timestamp=info['timestamp'],
                pred_instances=dict(bboxes=torch.tensor(info['gt_bboxes']),
                                    scores=torch.tensor(scores))))
        metric.process([], outputs)
        return metric.compute_metrics(metric.results)['overall']

    assert evaluate(False) == pytest.approx(1.0)
    assert evaluate(True) < 0.8


def test_multilabel_actions_and_motion(ava):
    rows = read_rows(ava['ann_file_train'])
    per_actor = {}
    for video, ts, *box, action, person in rows:
        entry = per_actor.setdefault((video, int(ts), person),
                                     dict(box=box, actions=set()))
        assert entry['box'] == box  # one box per actor and keyframe
        entry['actions'].add(int(action))
    assert {a for e in per_actor.values() for a in e['actions']} == \
        set(range(1, len(AVA_ACTIONS) + 1))
    assert any(len(e['actions']) >= 2 for e in per_actor.values())
    # between two keyframes an actor spends half a second in each one's
    # actions: it moves 15 frames x 1% of the width per move left/right
    def direction(actions):
        return (2 in actions) - (1 in actions)

    moves = 0
    for (video, ts, person), e in per_actor.items():
        nxt = per_actor.get((video, ts + 1, person))
        if nxt is None:
            continue
        centre = (float(e['box'][0]) + float(e['box'][2])) / 2
        centre2 = (float(nxt['box'][0]) + float(nxt['box'][2])) / 2
        expected = 0.15 * (direction(e['actions']) +
                           direction(nxt['actions']))
        assert centre2 - centre == pytest.approx(expected, abs=0.003)
        moves += expected != 0
    assert moves >= 1


def test_proposals_jittered_with_false_positives(ava):
    from mmdet.structures.bbox import bbox_overlaps
    proposals = pickle.load(open(ava['proposal_file_train'], 'rb'))
    rows = read_rows(ava['ann_file_train'])
    keys = {f'{r[0]},{r[1]}' for r in rows}
    excluded = {line.strip() for line in open(ava['exclude_file_train'])}
    assert keys | excluded == set(proposals) and not keys & excluded
    false_positives = exact = 0
    for key in keys:
        props = proposals[key]
        assert props.dtype == np.float32 and props.shape[1] == 5
        assert (np.diff(props[:, 4]) <= 0).all()  # sorted by score
        gt = np.unique(np.array([[float(v) for v in r[2:6]] for r in rows
                                 if f'{r[0]},{r[1]}' == key]), axis=0)
        iou = bbox_overlaps(torch.tensor(props[:, :4]),
                            torch.tensor(gt, dtype=torch.float32)).numpy()
        # every actor is found (IoU > 0.5) but not exactly (jitter)
        assert (iou.max(0) > 0.5).all() and (iou.max(0) < 0.999).all()
        exact += int((iou.max(0) > 0.999).sum())
        false_positives += int((iou.max(1) < 0.3).sum())
    assert false_positives >= 1 and exact == 0


def test_generation_is_deterministic(ava, tmp_path):
    again = generate_ava_dataset(str(tmp_path), num_train_videos=2,
                                 num_val_videos=1, keyframes=KEYFRAMES,
                                 size=64, seed=0)
    for key in ('ann_file_train', 'exclude_file_val', 'label_file',
                'proposal_file_train'):
        assert filecmp.cmp(ava[key], again[key], shallow=False), key
    frame = osp.join('syntrain001', 'img_00042.jpg')
    assert filecmp.cmp(osp.join(ava['data_root'], frame),
                       osp.join(again['data_root'], frame), shallow=False)


def test_generator_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match='keyframes'):
        generate_ava_dataset(str(tmp_path), keyframes=(905, 902))
    with pytest.raises(ValueError, match='actors'):
        generate_ava_dataset(str(tmp_path), actors=(3, 2))


# ---------------------------------------------------------------- errors
def test_checked_dataset_matches_mmaction2_on_good_files(ava):
    ours = CheckedAVADataset(**dataset_args(ava))
    theirs = AVADataset(**dataset_args(ava))
    assert len(ours) == len(theirs) == ava['num_keyframes_train']
    for i in range(len(ours)):
        a, b = ours.get_data_info(i), theirs.get_data_info(i)
        assert a['img_key'] == b['img_key']
        np.testing.assert_array_equal(a['proposals'], b['proposals'])


def test_missing_proposal_key_is_one_error_naming_it(ava, tmp_path):
    proposals = pickle.load(open(ava['proposal_file_train'], 'rb'))
    excluded = {line.strip() for line in open(ava['exclude_file_train'])}
    key = sorted(k for k in proposals if k not in excluded)[1]
    del proposals[key]
    bad = str(tmp_path / 'proposals.pkl')
    pickle.dump(proposals, open(bad, 'wb'))
    args = dict(dataset_args(ava), proposal_file=bad)
    # mmaction2 silently replaces the missing proposals by the whole frame
    theirs = AVADataset(**args)
    idx = [theirs.get_data_info(i)['img_key']
           for i in range(len(theirs))].index(key)
    assert theirs.get_data_info(idx)['proposals'].tolist() == [[0, 0, 1, 1]]
    with pytest.raises(KeyError) as err:
        CheckedAVADataset(**args)
    message = str(err.value)
    assert repr(key) in message and 'proposal file' in message
    assert '1 of' in message and bad in message


def test_row_with_missing_frame_folder_is_one_error_naming_it(ava, tmp_path):
    frames = str(tmp_path / 'rawframes')
    shutil.copytree(ava['data_root'], frames)
    shutil.rmtree(osp.join(frames, 'syntrain001'))
    args = dict(dataset_args(ava), data_prefix=dict(img=frames))
    with pytest.raises(FileNotFoundError) as err:
        CheckedAVADataset(**args)
    message = str(err.value)
    assert "'syntrain001,0902'" in message
    assert osp.join(frames, 'syntrain001') in message
    assert 'syntrain000' not in message


def test_malformed_row_names_its_line(ava, tmp_path):
    lines = open(ava['ann_file_train']).read().splitlines()
    lines[2] = lines[2].replace(',', ';', 1)
    bad = str(tmp_path / 'ava_train_v2.2.csv')
    open(bad, 'w').write('\n'.join(lines) + '\n')
    with pytest.raises(ValueError, match='line 3 of'):
        CheckedAVADataset(**dict(dataset_args(ava), ann_file=bad))


def test_keyframe_outside_timestamp_range_is_an_error(ava):
    args = dict(dataset_args(ava), timestamp_end=KEYFRAMES[1])
    # mmaction2 clamps the frames of the last keyframe to the range's end
    AVADataset(**args)
    with pytest.raises(ValueError) as err:
        CheckedAVADataset(**args)
    message = str(err.value)
    assert "'syntrain000,0905'" in message and '[900, 905)' in message
    assert "'syntrain000,0904'" not in message


def test_malformed_proposals_are_one_error_naming_them(ava, tmp_path):
    proposals = pickle.load(open(ava['proposal_file_train'], 'rb'))
    excluded = {line.strip() for line in open(ava['exclude_file_train'])}
    key = sorted(k for k in proposals if k not in excluded)[0]
    proposals[key] = proposals[key] * 64  # pixels instead of normalised
    bad = str(tmp_path / 'proposals.pkl')
    pickle.dump(proposals, open(bad, 'wb'))
    with pytest.raises(ValueError) as err:
        CheckedAVADataset(**dict(dataset_args(ava), proposal_file=bad))
    assert repr(key) in str(err.value) and 'normalised' in str(err.value)
