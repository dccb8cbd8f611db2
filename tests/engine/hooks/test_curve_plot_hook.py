"""CurvePlotHook draws the whole history, across a resume."""
from student_runner import student_runner

from mmkd_video.engine import CurvePlotHook


def test_curves_png_holds_the_whole_history(tiny_clips, tmp_path):
    first = student_runner(tiny_clips, tmp_path, 1)
    first.train()
    png = tmp_path / 'curves.png'
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    per_epoch = len(first.message_hub.get_scalar('train/loss').data[0])

    second = student_runner(tiny_clips, tmp_path, 2, resume=True)
    second.train()
    # the resumed run plots epoch 1's iterations too (restored hub)
    assert len(second.message_hub.get_scalar('train/loss').data[0]) == \
        2 * per_epoch
    assert len(second.message_hub.get_scalar('val/acc/top1').data[0]) == 2
    hook = next(h for h in second.hooks if isinstance(h, CurvePlotHook))
    assert hook.plot(second) == str(png)
