import pytest
import torch

from mmkd_video.models.losses import AttentionDistillLoss


def test_by_hand_with_default_weight():
    # (N, C, T) = (1, 2, 2); differences 0.5, 0, -1, 0.5 -> mean sq 0.375
    att_S = torch.tensor([[[0.5, 1.0], [0.0, 0.5]]])
    att_T = torch.tensor([[[0.0, 1.0], [1.0, 0.0]]])
    assert AttentionDistillLoss()(att_S, att_T).item() == pytest.approx(
        0.1 * 0.375)
    assert AttentionDistillLoss(loss_weight=1.0)(
        att_S, att_T).item() == pytest.approx(0.375)


def test_teacher_gets_no_gradient():
    att_S = torch.rand(2, 4, 3, requires_grad=True)
    att_T = torch.rand(2, 4, 3, requires_grad=True)
    AttentionDistillLoss()(att_S, att_T).backward()
    assert att_T.grad is None
    torch.testing.assert_close(
        att_S.grad, 0.1 * 2 * (att_S - att_T).detach() / att_S.numel())


def test_shape_mismatch():
    with pytest.raises(ValueError, match=r'expected att_S.*\(2, 4, 3\).*got '
                       r'\(2, 4, 6\)'):
        AttentionDistillLoss()(torch.rand(2, 4, 6), torch.rand(2, 4, 3))
