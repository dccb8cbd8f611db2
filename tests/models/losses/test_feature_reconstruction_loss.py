import pytest
import torch

from mmkd_video.models.losses import FeatureReconstructionLoss


def test_hand_computation_and_gradients_to_both_sides():
    recon = torch.tensor([[1.0, 2.0], [0.0, -1.0]], requires_grad=True)
    target = torch.tensor([[0.0, 2.0], [2.0, 1.0]], requires_grad=True)
    # squared errors 1, 0, 4, 4 -> mean 2.25; times the GenKD weight 0.5
    loss = FeatureReconstructionLoss()(recon, target)
    assert loss.item() == pytest.approx(1.125)
    loss.backward()
    # d/d recon = 0.5 * 2 * (recon - target) / 4
    assert torch.allclose(recon.grad,
                          torch.tensor([[0.25, 0.0], [-0.5, -0.5]]))
    assert torch.allclose(target.grad, -recon.grad)


def test_shape_mismatch():
    with pytest.raises(ValueError, match=r'\(2, 3\).*\(2, 4\)'):
        FeatureReconstructionLoss()(torch.zeros(2, 3), torch.zeros(2, 4))
