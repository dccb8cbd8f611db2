"""tools/benchmark.py: the GenKD demo config end to end (one timed
iteration), and its helpers."""
import json
import os.path as osp
import sys

import pytest
from mmengine.config import Config

from mmkd_video.datasets import generate_dataset

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(REPO, 'tools'))
import benchmark  # noqa: E402

GENKD = ('configs/genkd/'
         'genkd-phase2_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py')
KD = 'configs/baselines/kd_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py'
STRUCTKD_HO = ('configs/structkd/structkd-pi-pa-ho_r3d18-w32-to-w8_1xb8-'
               '8x2x1-20e_synthetic-rgb.py')


@pytest.fixture
def data_root(tmp_path):
    root = str(tmp_path / 'synthetic')
    generate_dataset(root, num_classes=10, videos_per_class=2, num_frames=16,
                     size=64, seed=0, clips_per_group=1, val_ratio=0.3)
    return root


def test_genkd_row_with_ratio(data_root, tmp_path, capsys):
    out = tmp_path / 'result.json'
    benchmark.main([
        osp.join(REPO, GENKD), '--random-teacher', '--iters', '1',
        '--warmup', '0', '--data-batches', '1', '--no-memory', '--json',
        str(out), '--cfg-options', f'data_root={data_root}',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False'])
    assert '| c/(a+b) | c/(a+b+m) |' in capsys.readouterr().out
    (result, ) = json.loads(out.read_text())
    assert result['teacher_stage'] == 'neck' and result['optimizers'] == 2
    assert result['batch_size'] == 2 and not result['cached']
    # (m): GenKD's CVAE step, its own optimizer
    for key in ('student_ms', 'teacher_ms', 'distill_ms', 'method_ms'):
        assert result[key] > 0
    assert result['ratio'] == pytest.approx(
        result['distill_ms'] / (result['student_ms'] + result['teacher_ms']))
    assert result['ratio_framework'] == pytest.approx(
        result['distill_ms'] / (result['student_ms'] + result['teacher_ms']
                                + result['method_ms']))


def test_method_steps_are_the_non_task_steps(data_root):
    # StructKD Ho: (m) runs the critic's step and moves only the critic
    import torch
    from mmengine.optim import build_optim_wrapper
    from mmkd_video.registry import MODELS
    args = benchmark.parse_args([
        osp.join(REPO, STRUCTKD_HO), '--random-teacher', '--cfg-options',
        f'data_root={data_root}', 'train_dataloader.batch_size=2',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False'])
    cfg = benchmark.load_config(args.config, args)
    distiller = benchmark.build_distiller(cfg, 'cpu')
    optim = build_optim_wrapper(distiller, cfg.optim_wrapper)
    batches = benchmark.fetch_batches(cfg, 1, num_workers=0)
    (call, ) = benchmark.method_step_calls(distiller, optim, batches)
    params = dict(distiller.named_parameters())
    before = {k: v.detach().clone() for k, v in params.items()}
    call()
    moved = {k for k, v in params.items() if not torch.equal(v, before[k])}
    assert moved and all(k.startswith('distill_losses.ho.discriminator')
                         for k in moved)


def test_row_without_method_modules():
    row = benchmark.table_row(dict(
        method='KD', student_ms=10., teacher_ms=20., distill_ms=31.,
        method_ms=0., ratio=31 / 30, ratio_framework=31 / 30,
        ratio_to_student=3.1, train_clips_s=1., data_clips_s=2.,
        data_over_train=2.))
    assert row.startswith('| KD | 10.0 | 20.0 | - | 31.0 | 1.033 | 1.033 |')
    assert row.count('|') == benchmark.HEADER.splitlines()[0].count('|')


def test_task_optim_cfg_is_the_student_steps():
    genkd = benchmark.task_optim_cfg(Config.fromfile(osp.join(REPO, GENKD)))
    assert genkd['optimizer']['type'] == 'AdamW' and 'modules' not in genkd
    kd = benchmark.task_optim_cfg(Config.fromfile(osp.join(REPO, KD)))
    assert kd['optimizer']['type'] == 'AdamW'


def test_markdown_replaces_only_its_section(tmp_path):
    page = tmp_path / 'page.md'
    page.write_text('intro\n<!-- benchmark:cpu -->\nold\n'
                    '<!-- /benchmark:cpu -->\noutro\n')
    benchmark.write_markdown(str(page), 'new table', 'cpu')
    assert page.read_text() == ('intro\n<!-- benchmark:cpu -->\nnew table\n'
                                '<!-- /benchmark:cpu -->\noutro\n')


def test_amp_needs_cuda():
    with pytest.raises(SystemExit):
        benchmark.parse_args([GENKD, '--amp', 'bfloat16'])
