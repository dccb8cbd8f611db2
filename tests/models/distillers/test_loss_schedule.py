import pytest

from mmkd_video.models.distillers.loss_schedule import LossWeightSchedule


def test_genkd_reconstruction_ramp_counts_epochs_from_one():
    # official: 0.5 * min(epoch, 20) / 20 with epoch = 1, 2, ...; MMEngine's
    # epoch is 0-based
    ramp = LossWeightSchedule(warmup=20, by_epoch=True, one_based=True)
    for epoch in range(30):
        official = min(epoch + 1, 20) / 20
        assert ramp(epoch, 0) == pytest.approx(official)
    assert ramp(0, 0) == pytest.approx(1 / 20)  # not 0 in the first epoch
    zero_based = LossWeightSchedule(warmup=20, by_epoch=True)
    assert zero_based(0, 0) == 0 and zero_based(20, 0) == 1


def test_start_stop_and_iterations():
    ramp = LossWeightSchedule(warmup=4, start=2, stop=10, by_epoch=False,
                              one_based=True)
    assert [ramp(0, i) for i in range(12)] == [
        0, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1, 1, 0, 0]
    with pytest.raises(ValueError, match='stop > start'):
        LossWeightSchedule(start=3, stop=3)
