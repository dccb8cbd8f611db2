"""Method randomness (GenKD's CVAE noise, StructKD's alpha) on generators of
its own: the global stream does not move, builds with one seed draw alike,
and a resumed run continues each generator where it stopped."""
import os.path as osp
import sys

import torch
import torch.nn as nn

from mmkd_video.models.heads import GenerativeAttentionHead
from mmkd_video.models.losses import HolisticDistillLoss
from mmkd_video.models.method_generator import (MethodGenerator,
                                                method_generator_states)

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', 'engine', 'hooks'))
from genkd_runner import genkd_runner, random_teacher_checkpoint  # noqa


def head():
    return GenerativeAttentionHead(16, num_frames=4, feat_size=2)


def critic_loss():
    critic = nn.Sequential(nn.Conv2d(5, 4, 3), nn.LeakyReLU(0.2),
                           nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                           nn.Linear(4, 1))
    return HolisticDistillLoss(critic)


def test_drawing_does_not_move_the_global_stream():
    """A global draw after the head's forward (posterior + prior noise) and
    the critic's penalty (alpha) equals the draw without them."""
    torch.manual_seed(0)
    genkd, ho = head(), critic_loss()
    feat = torch.rand(3, 16, 4, 2, 2)
    maps = torch.randn(3, 5, 6, 6), torch.randn(3, 5, 6, 6)
    state = torch.get_rng_state()
    without = torch.rand(5)
    torch.set_rng_state(state)
    out = genkd(feat)
    genkd.reconstruct_from_prior(out['att'])
    ho.discriminator_loss(*maps)
    assert torch.equal(torch.rand(5), without)


def test_same_seed_same_draws_and_distinct_streams():
    def build_and_draw():
        torch.manual_seed(7)
        student, teacher = head(), head()  # built one after the other
        like = torch.zeros(2, 4, 16)
        return (student.noise_generator.randn_like(like),
                teacher.noise_generator.randn_like(like))

    first, second = build_and_draw(), build_and_draw()
    assert torch.equal(first[0], second[0])
    assert torch.equal(first[1], second[1])
    assert not torch.allclose(first[0], first[1])  # independent streams
    torch.manual_seed(8)
    assert not torch.allclose(head().noise_generator.randn_like(
        torch.zeros(2, 4, 16)), first[0])  # another seed, another stream


def test_forward_noise_is_the_generators():
    torch.manual_seed(0)
    genkd = head()
    feat = torch.rand(2, 16, 4, 2, 2)
    replay = torch.Generator()
    replay.set_state(genkd.noise_generator.get_state())
    out = genkd(feat)
    eps = torch.randn(2, 4, 16, generator=replay)
    expected = genkd.decode(out['mu'] + eps * torch.exp(0.5 * out['logvar']),
                            out['att'])
    assert torch.allclose(out['recon'], expected)


def test_state_dict_has_no_generator_key():
    """Checkpoints keep their keys (old ones load, plain models load them);
    the generator states travel in checkpoint['random_states']."""
    assert not any('generator' in k for k in head().state_dict())
    assert isinstance(head().noise_generator, MethodGenerator)


def test_resume_continues_every_generator(tiny_clips, tmp_path):
    """GenKD phase 2, 2 epochs straight vs 1 epoch + --resume to 2: the
    student's and teacher's CVAE generators end in the same state, the
    checkpoint holds them by name, and the weights are bit-identical."""
    teacher = random_teacher_checkpoint(tmp_path)
    straight = genkd_runner(tiny_clips, tmp_path / 'straight', teacher,
                            epochs=2)
    straight.train()
    genkd_runner(tiny_clips, tmp_path / 'resumed', teacher,
                 epochs=1).train()
    resumed = genkd_runner(tiny_clips, tmp_path / 'resumed', teacher,
                           epochs=2, resume=True)
    resumed.train()

    a = method_generator_states(straight.model)
    b = method_generator_states(resumed.model)
    assert set(a) == {'student.neck.head.noise_generator',
                      'teacher.neck.head.noise_generator'}
    assert all(torch.equal(a[k], b[k]) for k in a)
    ckpt = torch.load(tmp_path / 'resumed' / 'epoch_1.pth',
                      weights_only=True)
    saved = ckpt['random_states'][0]['method']
    assert set(saved) == set(a)
    assert not torch.equal(saved['student.neck.head.noise_generator'],
                           a['student.neck.head.noise_generator'])
    sa, sb = straight.model.state_dict(), resumed.model.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
