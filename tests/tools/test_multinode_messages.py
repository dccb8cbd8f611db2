"""The lost-rank message and the collective timeout setting of
mmkd_video.engine.launch (fast: no process group; the two-node runs that
produce these errors are in test_multinode.py)."""
import pytest
from mmengine.config import Config

from mmkd_video.engine.launch import collective_timeout, explain_lost_peer

HOSTS = {0: ('node1', ['10.77.0.1']), 1: ('node2', ['10.77.0.2']),
         2: ('node2', ['10.77.0.2']), 3: ('node3', ['10.77.0.3'])}
# gloo's words (torch 2.13) when a peer's process dies
CLOSED = RuntimeError(
    '[/__w/pytorch/pytorch/third_party/gloo/gloo/transport/tcp/pair.cc:553] '
    'Connection closed by peer [10.77.0.3]:16581. This is typically caused '
    'by a remote worker crashing.')
RESET = RuntimeError('[../third_party/gloo/gloo/transport/tcp/pair.cc:598] '
                     'Read error [10.77.0.2]:40312: Connection reset by peer')
TIMEOUT = RuntimeError(
    '[/__w/pytorch/pytorch/third_party/gloo/gloo/transport/tcp/'
    'unbound_buffer.cc:78] Timed out waiting 8000ms for recv operation to '
    'complete')


def test_a_closed_connection_names_the_rank_at_that_address():
    line = explain_lost_peer(CLOSED, HOSTS)
    assert 'lost rank 3 on node3 (10.77.0.3)' in line
    assert '--resume' in line


def test_every_rank_of_a_lost_node_is_named():
    assert 'lost rank 1, 2 on node2 (10.77.0.2)' in explain_lost_peer(
        RESET, HOSTS)


def test_an_address_no_rank_reported_is_still_named():
    line = explain_lost_peer(CLOSED, {0: ('node1', ['10.77.0.1'])})
    assert 'lost the rank at 10.77.0.3' in line


def test_a_timeout_points_at_the_setting():
    line = explain_lost_peer(TIMEOUT, HOSTS, timeout_s=15)
    assert 'collective timeout (15 s, env_cfg.dist_cfg.timeout)' in line


def test_other_errors_get_no_message():
    assert explain_lost_peer(ValueError('bad shape [2, 3]'), HOSTS) is None
    assert explain_lost_peer(RuntimeError(
        'DataLoader timed out after 60 seconds'), HOSTS) is None
    assert explain_lost_peer(ConnectionRefusedError(
        '[Errno 111] Connection refused [10.77.0.2]'), HOSTS) is None


def test_collective_timeout_reads_mmengines_key():
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl',
                                                 timeout=42))))
    assert collective_timeout(cfg) == 42
    assert collective_timeout(Config(dict(env_cfg=dict()))) == 1800
    assert collective_timeout(None) == 1800


@pytest.mark.parametrize('bad', [0, -5, '60', True])
def test_a_bad_timeout_is_one_clear_error(bad):
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(timeout=bad))))
    with pytest.raises(ValueError, match='env_cfg.dist_cfg.timeout=300'):
        collective_timeout(cfg)
