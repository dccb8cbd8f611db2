"""DataParallelOptimWrapper / DataParallelAmpOptimWrapper: gradients averaged
over ranks before the step, the AMP inf check included; the check that
DistillerDataParallel makes on the wrappers it is given.

Two real gloo ranks on CPU, forked (nothing imported twice: ~3 s)."""
import os
import socket
import time

import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp
import torch.nn as nn
from mmengine.optim import (AmpOptimWrapper, OptimWrapper, OptimWrapperDict,
                            build_optim_wrapper)
from mmengine.registry import DefaultScope

from mmkd_video.engine.optimizers import (DataParallelAmpOptimWrapper,
                                          DataParallelOptimWrapper)
from mmkd_video.engine.wrappers.distiller_data_parallel import \
    check_wrappers_average


def linear() -> nn.Linear:
    torch.manual_seed(0)
    return nn.Linear(3, 1)


def set_grads(model: nn.Module, value: float) -> None:
    for p in model.parameters():
        p.grad = torch.full_like(p, value)


@pytest.fixture
def amp_on_cpu(monkeypatch):
    # mmengine 0.10.7's AmpOptimWrapper.__init__ asserts a GPU/NPU/MLU/MUSA;
    # lift only that gate (the forked ranks inherit it).
    monkeypatch.setattr(
        'mmengine.optim.optimizer.amp_optimizer_wrapper.is_cuda_available',
        lambda: True)


def cpu_scaler(wrapper: AmpOptimWrapper) -> AmpOptimWrapper:
    # mmengine builds torch.cuda's GradScaler, which disables itself without
    # CUDA; torch's CPU GradScaler is the same scaler on this device.
    wrapper.loss_scaler = torch.amp.GradScaler('cpu', init_scale=8.)
    return wrapper


def rank_steps(rank: int, port: int, out: str) -> None:
    """One rank: every case in one process group, results to ``out``."""
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch_dist.init_process_group('gloo', rank=rank, world_size=2)
    results = {}
    # rank r's gradient is r + 1 everywhere: the average is 1.5
    for name, wrapper_type in [('plain', OptimWrapper),
                               ('averaged', DataParallelOptimWrapper),
                               ('averaged_amp', DataParallelAmpOptimWrapper)]:
        model = linear()
        kwargs = dict(dtype='bfloat16') if 'amp' in name else {}
        wrapper = wrapper_type(
            optimizer=torch.optim.SGD(model.parameters(), lr=1.), **kwargs)
        set_grads(model, rank + 1.)
        wrapper.step()
        results[name] = model.weight.detach().clone()
    # fp16 loss scaling: rank 1's gradients are infinite, rank 0's finite
    for name, wrapper_type in [('amp_inf', AmpOptimWrapper),
                               ('averaged_amp_inf',
                                DataParallelAmpOptimWrapper)]:
        model = linear()
        wrapper = cpu_scaler(wrapper_type(
            optimizer=torch.optim.SGD(model.parameters(), lr=1.),
            loss_scale='dynamic'))
        g = float('inf') if rank else 1.
        wrapper.backward(sum((p * g).sum() for p in model.parameters()))
        wrapper.step()  # scaled gradients: 8 on rank 0, inf on rank 1
        results[name] = model.weight.detach().clone()
        results[name + '_scale'] = wrapper.loss_scaler.get_scale()
    # the check DistillerDataParallel makes at its first train_step
    model = linear()
    mixed = OptimWrapperDict(
        student=DataParallelOptimWrapper(torch.optim.SGD(
            [model.weight], lr=1.)),
        critic=OptimWrapper(torch.optim.SGD([model.bias], lr=1.)))
    try:
        check_wrappers_average(mixed)
    except TypeError as e:
        results['error'] = str(e)
    torch.save(results, out.format(rank))
    torch_dist.destroy_process_group()


@pytest.fixture(scope='module')
def two_ranks(tmp_path_factory):
    def run():
        out = str(tmp_path_factory.mktemp('ranks') / 'rank{}.pt')
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        ranks = mp.start_processes(rank_steps, args=(port, out), nprocs=2,
                                   join=False, start_method='fork')
        deadline = time.monotonic() + 120
        while not ranks.join(timeout=5):
            if time.monotonic() > deadline:
                for process in ranks.processes:
                    process.kill()
                pytest.fail('the two ranks did not finish within 120 s')
        return [torch.load(out.format(r)) for r in range(2)]
    return run


def test_two_ranks_step_on_the_average_gradient(amp_on_cpu, two_ranks):
    rank0, rank1 = two_ranks()
    init = linear().weight.detach()

    # without averaging each rank steps on its own gradient and they drift
    assert torch.equal(rank0['plain'], init - 1.)
    assert torch.equal(rank1['plain'], init - 2.)
    for name in ('averaged', 'averaged_amp'):
        assert torch.equal(rank0[name], init - 1.5), name
        assert torch.equal(rank1[name], rank0[name]), name

    # AmpOptimWrapper: rank 0 steps (8 unscaled by 8 = 1), rank 1 skips
    assert torch.equal(rank0['amp_inf'], init - 1.)
    assert torch.equal(rank1['amp_inf'], init)
    # averaged before the inf check: both skip, both halve the scale
    assert torch.equal(rank0['averaged_amp_inf'], init)
    assert torch.equal(rank1['averaged_amp_inf'], init)
    assert rank0['averaged_amp_inf_scale'] == \
        rank1['averaged_amp_inf_scale'] == 4.

    for rank in (rank0, rank1):
        assert "got OptimWrapper for 'critic'" in rank['error']
        assert "optim_wrapper.critic.type='DataParallelOptimWrapper'" in \
            rank['error']


def test_one_process_steps_like_the_plain_wrapper():
    """World size 1: no process group, the step of OptimWrapper."""
    plain, averaged = linear(), linear()
    for model, wrapper_type in [(plain, OptimWrapper),
                                (averaged, DataParallelOptimWrapper)]:
        wrapper = wrapper_type(torch.optim.SGD(model.parameters(), lr=1.),
                               clip_grad=dict(max_norm=1.))
        set_grads(model, 3.)
        wrapper.step()
    assert torch.equal(plain.weight, averaged.weight)
    assert not torch.equal(plain.weight, linear().weight)
    # nothing to check without ranks to drift apart
    check_wrappers_average(OptimWrapper(torch.optim.SGD(
        plain.parameters(), lr=1.)))


def test_configs_build_them_by_type_in_our_scope():
    """mmengine's constructors build optim wrappers in the default scope's
    registry: ours (the tests' scope, as our configs') finds both types,
    also as entries of DistillerOptimWrapperConstructor."""
    model = nn.ModuleDict(dict(student=linear(), critic=linear()))
    single = build_optim_wrapper(model, dict(
        type='DataParallelOptimWrapper',
        optimizer=dict(type='SGD', lr=0.1)))
    assert type(single) is DataParallelOptimWrapper
    several = build_optim_wrapper(model, dict(
        constructor='DistillerOptimWrapperConstructor',
        student=dict(type='DataParallelOptimWrapper',
                     optimizer=dict(type='SGD', lr=0.1)),
        critic=dict(type='mmkd_video.DataParallelOptimWrapper',
                    optimizer=dict(type='Adam', lr=1e-4))))
    assert all(type(several[k]) is DataParallelOptimWrapper
               for k in ('student', 'critic'))
    # a user's mmaction-scoped config names our scope (README)
    with DefaultScope.overwrite_default_scope('mmaction'):
        scoped = build_optim_wrapper(model, dict(
            type='mmkd_video.DataParallelOptimWrapper',
            optimizer=dict(type='SGD', lr=0.1)))
        assert type(scoped) is DataParallelOptimWrapper
        with pytest.raises(KeyError, match='DataParallelOptimWrapper'):
            build_optim_wrapper(model, dict(
                type='DataParallelOptimWrapper',
                optimizer=dict(type='SGD', lr=0.1)))
