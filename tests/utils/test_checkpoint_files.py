"""Which checkpoint ``--resume`` continues from, with damaged files around."""
import os.path as osp

import pytest
import torch

from mmkd_video.utils import find_resume_checkpoint


def save(folder, name, truncate=False):
    path = str(folder / name)
    torch.save({'state_dict': {'w': torch.randn(64, 64)}}, path)
    if truncate:
        data = open(path, 'rb').read()
        open(path, 'wb').write(data[:len(data) // 3])
    return path


def test_interrupted_first_save_is_resumed_not_restarted(tmp_path):
    # killed after epoch_1.pth was renamed into place, before the first
    # last_checkpoint was written: mmengine would start over
    path = save(tmp_path, 'epoch_1.pth')
    assert find_resume_checkpoint(str(tmp_path)) == path


def test_damaged_newest_falls_back_to_the_previous(tmp_path):
    one = save(tmp_path, 'epoch_1.pth')
    two = save(tmp_path, 'epoch_2.pth', truncate=True)
    (tmp_path / 'last_checkpoint').write_text(two)
    assert find_resume_checkpoint(str(tmp_path)) == one


def test_newer_complete_file_than_last_checkpoint(tmp_path):
    one = save(tmp_path, 'epoch_1.pth')
    two = save(tmp_path, 'epoch_2.pth')
    (tmp_path / 'last_checkpoint').write_text(one)  # killed before update
    assert find_resume_checkpoint(str(tmp_path)) == two
    save(tmp_path, 'best_acc_top1_epoch_9.pth')  # not a resume candidate
    assert find_resume_checkpoint(str(tmp_path)) == two


def test_nothing_complete_is_an_error_and_empty_is_none(tmp_path):
    assert find_resume_checkpoint(str(tmp_path)) is None
    save(tmp_path, 'epoch_1.pth', truncate=True)
    with pytest.raises(RuntimeError, match='missing or incomplete'):
        find_resume_checkpoint(str(tmp_path))
    assert osp.isfile(tmp_path / 'epoch_1.pth')  # nothing deleted
