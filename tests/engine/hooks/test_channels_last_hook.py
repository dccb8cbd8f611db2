"""channels_last_3d: same parameters, same outputs, other memory layout."""
import torch
import torch.nn as nn

from mmkd_video.engine.hooks import ChannelsLast3dHook, conv3d_channels_last
from mmkd_video.registry import HOOKS


def model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv3d(3, 8, 3, padding=1), nn.BatchNorm3d(8),
                         nn.ReLU(), nn.Conv3d(8, 4, (1, 3, 3)),
                         nn.Flatten(), nn.LazyLinear(2))


def test_conv3d_weights_go_channels_last_with_equal_outputs():
    net = model().eval()
    x = torch.randn(2, 3, 4, 8, 8)
    expected = net(x)
    params = list(net.parameters())
    assert conv3d_channels_last(net) == 2
    assert list(net.parameters()) == params  # same objects: optimizers ok
    for conv in (net[0], net[3]):
        assert conv.weight.is_contiguous(memory_format=torch.channels_last_3d)
        assert not conv.weight.is_contiguous()
    torch.testing.assert_close(net(x), expected, rtol=1e-5, atol=1e-5)


def test_hook_converts_the_unwrapped_model_before_training():
    class Runner:
        model = model()
        logger = __import__('logging').getLogger('test')

    hook = HOOKS.build(dict(type='ChannelsLast3dHook'))
    assert isinstance(hook, ChannelsLast3dHook)
    hook.before_train(Runner)
    assert Runner.model[0].weight.is_contiguous(
        memory_format=torch.channels_last_3d)
