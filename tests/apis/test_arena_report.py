"""The arena report from hand-made run folders: the numbers it prints are
the paired statistics of what the runs logged, and scalars a run did not
log read "not logged"."""
import json
import os
import pickle

import pytest
import torch

from mmkd_video.apis.arena_report import (collect_run, comparisons,
                                          last_epoch_means, write_report)
from mmkd_video.apis.arena_runs import ARMS_BY_NAME


def fake_run(folder, val, test_correct, losses, extra=None):
    """A run folder as tools/arena.py leaves it: scalars.json + dump."""
    vis = folder / '20260101_000000' / 'vis_data'
    vis.mkdir(parents=True)
    records = []
    for epoch, acc in enumerate(val, start=1):
        for loss in losses:
            rec = dict(loss=loss, loss_cls=loss, epoch=epoch, iter=1, step=1)
            rec.update(extra or {})
            records.append(rec)
        records.append({'acc/top1': acc / 100, 'step': epoch})
    with open(vis / 'scalars.json', 'w') as f:
        f.writelines(json.dumps(r) + '\n' for r in records)
    samples = [dict(pred_label=torch.tensor([1 if ok else 0]),
                    gt_label=torch.tensor([1])) for ok in test_correct]
    with open(folder / 'test_preds.pkl', 'wb') as f:
        pickle.dump(samples, f)
    (folder / 'done').write_text('10.0\n')
    return collect_run(str(folder))


def test_last_epoch_means_and_loose_diag_records():
    records = [dict(loss=3., loss_cls=3., epoch=1),
               dict(loss=2., loss_cls=2., epoch=2, **{'diag/att_spread': .5}),
               dict(loss=1., loss_cls=1., epoch=2, **{'diag/att_spread': .7}),
               {'diag/grad_ratio/kd': 0.2, 'step': 9},
               {'diag/grad_ratio/kd': 0.4, 'step': 10}]
    means = last_epoch_means(records)
    assert means['loss_cls'] == pytest.approx(1.5)
    assert means['diag/att_spread'] == pytest.approx(0.6)
    assert means['diag/grad_ratio/kd'] == pytest.approx(0.3)


def test_report_numbers_and_not_logged(tmp_path):
    runs = {'student': {}, 'kd': {}}
    # 10 test clips; KD gets 2, 1, 3 more right than the student
    for seed, (s_ok, k_ok) in enumerate([(5, 7), (4, 5), (6, 9)]):
        runs['student'][seed] = fake_run(
            tmp_path / f'student_seed{seed}', [30, 50], [i < s_ok
                                                       for i in range(10)],
            [1.2])
        runs['kd'][seed] = fake_run(
            tmp_path / f'kd_seed{seed}', [35, 55],
            [i < k_ok for i in range(10)], [1.0],
            extra={'diag/grad_ratio/kd': 0.25})
    assert runs['kd'][0]['test_top1'] == pytest.approx(70.0)
    arms = [ARMS_BY_NAME['student'], ARMS_BY_NAME['kd']]
    comps = comparisons(arms, runs)
    assert len(comps) == 1
    d = comps[0]['diff']
    # d = 20, 10, 30 points: mean 20, sd 10, t(0.975, 2) = 4.3027
    assert d.diffs == pytest.approx((20., 10., 30.))
    assert d.low == pytest.approx(20 - 4.3027 * 10 / 3 ** 0.5, abs=1e-2)
    # McNemar per seed: KD right where the student is wrong on 2, 1, 3
    assert [m.only_method for m in comps[0]['mcnemar']] == [2, 1, 3]
    assert [m.only_control for m in comps[0]['mcnemar']] == [0, 0, 0]
    labels = {a.name: a.label for a in ARMS_BY_NAME.values()}
    out = tmp_path / 'docs' / 'arena.md'
    meta = dict(title='t', command='python tools/arena.py', when='now',
                work_dir='w', design=['design'], bar=['bar'],
                reading=['reading'])
    paths = write_report(str(out), arms, runs, meta, labels)
    text = out.read_text()
    assert '| student alone | 3 | 50.0 ± 10.0 |' in text
    assert '| logit KD (tau 4, w 1) | **student alone** | 3 | +20.0 | 10.0 | ' \
        '[-4.8, 44.8] |' in text
    assert 'no effect detected' in text  # the interval includes 0
    # KD logged a grad ratio, the student nothing: "not logged" there
    kd_row = [l for l in text.splitlines()
              if l.startswith('| logit KD') and 'loss_cls' in l][0]
    assert 'diag/grad_ratio/kd 0.25' in kd_row
    student_row = [l for l in text.splitlines()
                   if l.startswith('| student alone') and 'loss_cls' in l][0]
    assert student_row.count('not logged') == 2
    for path in paths[1:]:
        assert os.path.getsize(path) > 1000  # the PNGs were drawn


def test_readme_block_is_replaced_by_the_tables(tmp_path):
    from mmkd_video.apis.arena_report import (README_BEGIN, README_END,
                                              update_readme)
    report = tmp_path / 'arena.md'
    report.write_text('# t\n\n## Design\n\n- not copied\n\n## Test top-1 '
                      'per arm\n\nprose\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'
                      '\n## Diagnostics\n\n| x |\n')
    readme = tmp_path / 'README.md'
    readme.write_text(f'intro\n{README_BEGIN}\nold\n{README_END}\nrest\n')
    update_readme(str(readme), str(report))
    text = readme.read_text()
    assert '| 1 | 2 |' in text and 'old' not in text
    assert 'not copied' not in text and '| x |' not in text
    assert text.startswith('intro\n') and text.endswith('rest\n')
    (tmp_path / 'bare.md').write_text('no markers\n')
    with pytest.raises(ValueError, match='no arena block'):
        update_readme(str(tmp_path / 'bare.md'), str(report))
