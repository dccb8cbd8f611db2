import pytest
import torch

from mmkd_video.models.losses import GenerativeDistillLoss


def test_by_hand_with_default_weight():
    # differences 2, -1, 0, 1 -> mean sq (4 + 1 + 0 + 1) / 4 = 1.5
    recon_S = torch.tensor([2.0, 0.0, 1.0, 1.0]).view(1, 1, 1, 2, 2)
    recon_T = torch.tensor([0.0, 1.0, 1.0, 0.0]).view(1, 1, 1, 2, 2)
    assert GenerativeDistillLoss()(recon_S, recon_T).item() == \
        pytest.approx(0.01 * 1.5)
    assert GenerativeDistillLoss(loss_weight=3.0)(
        recon_S, recon_T).item() == pytest.approx(4.5)


def test_teacher_reconstruction_gets_no_gradient():
    recon_S = torch.randn(2, 3, 2, 2, 2, requires_grad=True)
    recon_T = torch.randn(2, 3, 2, 2, 2, requires_grad=True)
    GenerativeDistillLoss()(recon_S, recon_T).backward()
    assert recon_T.grad is None
    torch.testing.assert_close(
        recon_S.grad, 0.01 * 2 * (recon_S - recon_T).detach() / 48)


def test_shape_mismatch():
    with pytest.raises(ValueError, match=r'expected recon_S.*got'):
        GenerativeDistillLoss()(torch.randn(2, 3, 2, 2, 2),
                                torch.randn(2, 6, 2, 2, 2))
