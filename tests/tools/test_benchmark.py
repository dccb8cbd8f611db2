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
    assert '| c/(a+b) |' in capsys.readouterr().out
    (result, ) = json.loads(out.read_text())
    assert result['teacher_stage'] == 'neck' and result['optimizers'] == 2
    assert result['batch_size'] == 2 and not result['cached']
    for key in ('student_ms', 'teacher_ms', 'distill_ms'):
        assert result[key] > 0
    assert result['ratio'] == pytest.approx(
        result['distill_ms'] / (result['student_ms'] + result['teacher_ms']))


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
