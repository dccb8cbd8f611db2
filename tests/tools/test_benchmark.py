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


def test_method_pass_is_the_generator_term_through_the_critic(data_root):
    # StructKD Ho: the task step's part of (m) is the loss that owns the
    # critic (its generator term), forward and backward to its inputs; it
    # reaches the student map and gives no parameter a gradient
    import torch
    from mmengine.optim import build_optim_wrapper
    args = benchmark.parse_args([
        osp.join(REPO, STRUCTKD_HO), '--random-teacher', '--cfg-options',
        f'data_root={data_root}', 'train_dataloader.batch_size=2',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False'])
    cfg = benchmark.load_config(args.config, args)
    distiller = benchmark.build_distiller(cfg, 'cpu')
    optim = build_optim_wrapper(distiller, cfg.optim_wrapper)
    batches = benchmark.fetch_batches(cfg, 1, num_workers=0)
    ho = distiller.distill_losses.ho
    seen = []
    forward = ho.forward

    def spy(preds_S, preds_T):
        seen.append(preds_S)
        return forward(preds_S, preds_T)

    ho.forward = spy
    (call, ) = benchmark.method_pass_calls(distiller, optim, batches)
    call()
    (preds_S, ) = seen
    assert preds_S.requires_grad and preds_S.shape[1] == 10
    assert all(p.grad is None for p in distiller.parameters())
    # Pi and Pa read no module of another optimizer: not in (m)
    kd = benchmark.load_config(osp.join(REPO, KD), args)
    kd_distiller = benchmark.build_distiller(kd, 'cpu')
    assert benchmark.method_pass_calls(
        kd_distiller, build_optim_wrapper(kd_distiller, kd.optim_wrapper),
        batches) == []


def test_repeats_give_mean_sd_and_interval():
    blocks = [dict(student=1., teacher=1., method=0.5, distill=2.6),
              dict(student=1., teacher=1., method=0.5, distill=2.4)]
    spread = benchmark.spread_over_blocks(blocks)
    assert spread['ratio']['blocks'] == pytest.approx([1.3, 1.2])
    assert spread['ratio_framework']['mean'] == pytest.approx(1.0)
    sd = spread['ratio_framework']['sd']
    assert sd == pytest.approx(0.2 / 2.5 / 2**0.5)
    assert spread['ratio_framework']['ci95'] == pytest.approx(
        [1 - 12.706 * sd / 2**0.5, 1 + 12.706 * sd / 2**0.5])
    row = benchmark.table_row(dict(
        method='Ho', student_ms=1., teacher_ms=1., distill_ms=2.5,
        method_ms=0.5, ratio=1.25, ratio_framework=1.0, ratio_to_student=2.5,
        train_clips_s=1., data_clips_s=2., data_over_train=2.,
        repeats=spread))
    assert '| 1.250 ± 0.071 | 1.000 ± 0.057 |' in row
