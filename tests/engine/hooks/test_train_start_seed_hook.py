"""TrainStartSeedHook: arms whose model construction drew different amounts
from the global stream start training at the same point; a resumed run
keeps the stream it restored. Real Runners on generated clips."""
import torch
from mmengine.hooks import Hook
from student_runner import student_runner as runner

from mmkd_video.engine.hooks import TrainStartSeedHook


class StreamAt(Hook):
    """The global torch state around before_train and at each iteration."""

    def __init__(self, priority):
        self.priority = priority
        self.before_train_state = None
        self.iter_states = []

    def before_train(self, runner):
        self.start_iter = runner.iter
        self.before_train_state = torch.get_rng_state()

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.iter_states.append(torch.get_rng_state())


def first_iter_states(tiny_clips, work_dir, extra_draws, seed_hook):
    run = runner(tiny_clips, work_dir)
    torch.rand(extra_draws)  # another arm's construction drew more
    if seed_hook:
        run.register_hook(TrainStartSeedHook())
    record = StreamAt('LOWEST')
    run.register_hook(record)
    run.train()
    return record.iter_states


def test_arms_start_at_the_same_point(tiny_clips, tmp_path):
    seeded = [first_iter_states(tiny_clips, tmp_path / f'a{n}', n, True)
              for n in (0, 1000)]
    assert len(seeded[0]) > 1
    assert all(torch.equal(a, b) for a, b in zip(*seeded))
    # the control: without the hook the extra draws shift every iteration
    unseeded = [first_iter_states(tiny_clips, tmp_path / f'b{n}', n, False)
                for n in (0, 1000)]
    assert not torch.equal(unseeded[0][0], unseeded[1][0])


def test_resumed_run_keeps_its_stream(tiny_clips, tmp_path):
    runner(tiny_clips, tmp_path, epochs=1).train()
    for resume in (True, False):
        work = tmp_path if resume else tmp_path / 'fresh'
        run = runner(tiny_clips, work, epochs=2, resume=resume)
        run.register_hook(TrainStartSeedHook())
        before, after = StreamAt('HIGHEST'), StreamAt('LOWEST')
        run.register_hook(before)
        run.register_hook(after)
        torch.rand(10)
        run.train()
        assert (before.start_iter > 0) == resume  # epoch 1 came back
        # resumed: the hook leaves the stream alone; fresh: it reseeds
        assert torch.equal(before.before_train_state,
                           after.before_train_state) == resume
