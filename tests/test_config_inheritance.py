"""Other repositories inherit our configs: by path and with custom_imports."""
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
KD = osp.join(REPO, 'configs/baselines/'
              'kd_r3d18-w32-to-w8_1xb8-8x2x1-20e_synthetic-rgb.py')


def test_outside_config_inherits_by_path_in_a_fresh_process(tmp_path):
    # A user's config in another directory, parsed by a process that has
    # not imported mmkd_video: custom_imports must be enough.
    user_cfg = tmp_path / 'my_kd.py'
    user_cfg.write_text(
        f"_base_ = [{KD!r}]\n"
        "custom_imports = dict(imports=['mmkd_video'],\n"
        "                      allow_failed_imports=False)\n"
        "model = dict(distill_losses=dict(kd=dict(tau=2.0)))\n")
    script = (
        'from mmengine.config import Config\n'
        'from mmengine.registry import init_default_scope\n'
        f'cfg = Config.fromfile({str(user_cfg)!r})\n'
        'init_default_scope(cfg.default_scope)\n'
        'from mmengine.registry import MODELS\n'
        # what Runner's build does: switch to the default scope's registry
        'with MODELS.switch_scope_and_registry(None) as registry:\n'
        '    cls = registry.get(cfg.model.type)\n'
        "print(cfg.model.type, cfg.model.distill_losses.kd.tau,\n"
        "      cls.__module__)\n")
    # run from tmp_path: relative paths in the repo must not be needed
    # No shim: the mmaction2 that `make install` repaired imports as is.
    proc = subprocess.run([sys.executable, '-c', script],
                          cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == [
        'VideoDistiller', '2.0',
        'mmkd_video.models.distillers.video_distiller']
