"""The arena's interval arithmetic on a fixed, hand-checkable example."""
import math

import pytest

from mmkd_video.apis.evidence import (mcnemar, minimal_detectable_effect,
                                      paired_difference, summarize, t_cdf,
                                      t_quantile)


@pytest.mark.parametrize('df, expected', [(1, 12.7062), (2, 4.3027),
                                          (4, 2.7764), (9, 2.2622),
                                          (30, 2.0423)])
def test_t_quantile_matches_the_tables(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=2e-4)


def test_t_quantile_is_symmetric_and_inverts_the_cdf():
    assert t_quantile(0.025, 4) == pytest.approx(-2.7764, abs=2e-4)
    assert t_cdf(t_quantile(0.9, 7), 7) == pytest.approx(0.9, abs=1e-6)
    assert t_cdf(0.0, 3) == 0.5


def test_summarize_uses_the_sample_sd():
    s = summarize([2.0, 4.0, 9.0])
    assert s.n == 3 and s.mean == pytest.approx(5.0)
    # deviations -3, -1, 4: (9 + 1 + 16) / 2 = 13
    assert s.sd == pytest.approx(math.sqrt(13.0))
    assert math.isnan(summarize([1.0]).sd)
    with pytest.raises(ValueError, match='at least one'):
        summarize([])


def test_paired_difference_by_hand():
    # d = 2, 1, 4, 5, 2: mean 2.8; squared deviations .64 3.24 1.44 4.84 .64
    # sum 10.8, var 2.7, sd 1.6432, se = sd / sqrt 5 = 0.73485
    method = {0: 52., 1: 48., 2: 50., 3: 55., 4: 51., 7: 99.}
    control = {0: 50., 1: 47., 2: 46., 3: 50., 4: 49.}
    d = paired_difference(method, control)
    assert d.seeds == (0, 1, 2, 3, 4)  # seed 7 has no control: not paired
    assert d.diffs == (2., 1., 4., 5., 2.)
    assert d.mean == pytest.approx(2.8)
    assert d.sd == pytest.approx(math.sqrt(2.7))
    se = math.sqrt(2.7) / math.sqrt(5)
    assert d.t == pytest.approx(2.7764, abs=2e-4)
    assert d.low == pytest.approx(2.8 - 2.77645 * se, abs=1e-3)  # 0.760
    assert d.high == pytest.approx(2.8 + 2.77645 * se, abs=1e-3)  # 4.840
    assert d.mde == pytest.approx((2.77645 + 0.8416) * se, abs=1e-3)
    assert d.excludes_zero
    assert minimal_detectable_effect(math.sqrt(2.7), 5) == pytest.approx(
        d.mde)


def test_paired_difference_is_not_the_unpaired_one():
    # a seed effect shared by both arms cancels in the paired SD
    method = {0: 30., 1: 60., 2: 45.}
    control = {0: 29., 1: 58., 2: 44.}
    d = paired_difference(method, control)
    assert d.sd == pytest.approx(summarize([1., 2., 1.]).sd)
    # d = 1, 2, 1: mean 4/3, sd 0.5774, t(0.975, 2) = 4.3027: 4/3 -+ 1.434
    assert d.low == pytest.approx(4 / 3 - 4.3027 * 0.57735 / math.sqrt(3),
                                  abs=1e-3)
    assert not d.excludes_zero
    assert d.sd < summarize(method.values()).sd / 10


def test_paired_difference_errors_and_single_seed():
    with pytest.raises(ValueError, match='share no seed'):
        paired_difference({0: 1.}, {1: 1.})
    one = paired_difference({0: 3.}, {0: 1.})
    assert one.mean == 2. and math.isnan(one.low) and math.isnan(one.mde)


def test_mcnemar_exact_by_hand():
    clips = [f'c{i}' for i in range(10)]
    control = {c: i < 5 for i, c in enumerate(clips)}
    method = dict(control)
    for c in ('c5', 'c6', 'c7'):  # method right, control wrong: b = 3
        method[c] = True
    r = mcnemar(method, control)
    assert (r.only_method, r.only_control) == (3, 0)
    assert r.p == pytest.approx(2 / 8)  # 2 * C(3,0) / 2^3
    method['c0'] = False  # c = 1; add b to 6
    for c in ('c8', 'c9'):
        method[c] = True
    control['c4'] = False
    method['c4'] = True
    r = mcnemar(method, control)
    assert (r.only_method, r.only_control) == (6, 1)
    assert r.p == pytest.approx(2 * (1 + 7) / 128)
    assert mcnemar(control, control).p == 1.0
    with pytest.raises(ValueError, match='same clips'):
        mcnemar({'a': True}, {'b': True})
