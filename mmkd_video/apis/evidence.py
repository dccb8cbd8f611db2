"""Paired statistics of the distillation arena (tools/arena.py).

Every arm of the arena is trained once per seed from the same saved student
initialisation, on the same data order, so the effect of a method on seed
``s`` is the paired difference ``d_s = acc(method, s) - acc(control, s)``.
Over ``n`` seeds (``/work/shared/reference/evidence.md``):

* the mean effect ``mean(d)`` with the 95 % t-interval
  ``mean(d) +- t(0.975, n - 1) * sd(d) / sqrt(n)``;
* the minimal detectable effect of the design at 80 % power,
  ``(t(0.975, n - 1) + z(0.80)) * sd(d) / sqrt(n)`` with ``z(0.80) = 0.84``
  (a true effect this large is found significant four times in five);
* per seed, McNemar's exact test on the clips both arms classified (how
  often one is right where the other is wrong).

No scipy: the t quantile inverts the t distribution's CDF, integrated
numerically from its density (Simpson's rule), by bisection.

Example:
    >>> d = paired_difference({0: 52.0, 1: 48.0, 2: 50.0},
    ...                       {0: 50.0, 1: 47.0, 2: 46.0})
    >>> round(d.mean, 3), round(d.sd, 3), d.n
    (2.333, 1.528, 3)
"""
import math
from dataclasses import dataclass
from typing import Dict, Mapping, Sequence, Tuple

# z(0.80): the standard normal's 80 % quantile, the power term of the MDE
Z_POWER_80 = 0.8416


def t_pdf(t: float, df: int) -> float:
    """Density of Student's t with ``df`` degrees of freedom at ``t``."""
    log_c = (math.lgamma((df + 1) / 2) - math.lgamma(df / 2) -
             0.5 * math.log(df * math.pi))
    return math.exp(log_c - (df + 1) / 2 * math.log1p(t * t / df))


def t_cdf(t: float, df: int, steps: int = 4000) -> float:
    """P(T <= t) for Student's t: 0.5 + the density integrated over [0, t]
    by Simpson's rule (``steps`` intervals, even)."""
    if df < 1:
        raise ValueError(f'df must be >= 1, but got {df}')
    if t == 0:
        return 0.5
    upper = abs(t)
    h = upper / steps
    area = t_pdf(0., df) + t_pdf(upper, df)
    for i in range(1, steps):
        area += (4 if i % 2 else 2) * t_pdf(i * h, df)
    half = min(area * h / 3, 0.5)
    return 0.5 + half if t > 0 else 0.5 - half


def t_quantile(p: float, df: int, tol: float = 1e-7) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom.

    Args:
        p (float): Probability in (0, 1), e.g. 0.975 for a two-sided 95 %
            interval.
        df (int): Degrees of freedom (>= 1): ``n - 1`` for ``n`` seeds.

    Returns:
        float: ``t`` with ``P(T <= t) = p`` (2.776 for p = 0.975, df = 4).
    """
    if not 0. < p < 1.:
        raise ValueError(f'p must be in (0, 1), but got {p}')
    if p < 0.5:
        return -t_quantile(1 - p, df, tol)
    low, high = 0., 1.
    while t_cdf(high, df) < p:  # bracket: the tails of df = 1 are long
        low, high = high, high * 2
    while high - low > tol:
        mid = (low + high) / 2
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2


@dataclass(frozen=True)
class Summary:
    """Mean and sample SD of one arm over seeds."""
    n: int
    mean: float
    sd: float  # sample SD (n - 1); nan for n = 1


def summarize(values: Sequence[float]) -> Summary:
    """Mean and sample standard deviation of ``values``.

    Raises:
        ValueError: If ``values`` is empty.
    """
    values = list(values)
    if not values:
        raise ValueError('summarize needs at least one value, got none')
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return Summary(n, mean, float('nan'))
    var = sum((v - mean)**2 for v in values) / (n - 1)
    return Summary(n, mean, math.sqrt(var))


@dataclass(frozen=True)
class PairedDifference:
    """Per-seed paired differences ``method - control`` and their interval.

    ``low``/``high``: the 95 % t-interval of the mean difference; ``mde``:
    the minimal detectable effect at 80 % power (both nan for n < 2).
    """
    seeds: Tuple[int, ...]
    diffs: Tuple[float, ...]
    n: int
    mean: float
    sd: float
    t: float  # t(0.975, n - 1)
    low: float
    high: float
    mde: float

    @property
    def excludes_zero(self) -> bool:
        """The interval lies wholly on one side of zero."""
        return self.low > 0 or self.high < 0


def paired_difference(method: Mapping[int, float],
                      control: Mapping[int, float],
                      level: float = 0.95) -> PairedDifference:
    """Paired difference of two arms over the seeds both ran.

    Args:
        method (dict[int, float]): ``seed -> metric`` of the method arm.
        control (dict[int, float]): ``seed -> metric`` of its matched
            control.
        level (float): Two-sided confidence level. Defaults to 0.95.

    Returns:
        PairedDifference: ``d_s`` for the shared seeds (sorted), their mean,
        sample SD, the t-interval and the MDE at 80 % power.

    Raises:
        ValueError: If the arms share no seed.
    """
    seeds = tuple(sorted(set(method) & set(control)))
    if not seeds:
        raise ValueError(
            f'the arms share no seed: method has {sorted(method)}, control '
            f'has {sorted(control)}; run both on the same seeds')
    diffs = tuple(method[s] - control[s] for s in seeds)
    stats = summarize(diffs)
    n = stats.n
    if n < 2:
        nan = float('nan')
        return PairedDifference(seeds, diffs, n, stats.mean, nan, nan, nan,
                                nan, nan)
    t = t_quantile(1 - (1 - level) / 2, n - 1)
    half = t * stats.sd / math.sqrt(n)
    mde = (t + Z_POWER_80) * stats.sd / math.sqrt(n)
    return PairedDifference(seeds, diffs, n, stats.mean, stats.sd, t,
                            stats.mean - half, stats.mean + half, mde)


def minimal_detectable_effect(sd_diff: float, n: int) -> float:
    """MDE at 80 % power of a paired design with ``n`` seeds whose paired
    differences have SD ``sd_diff``: ``(t(0.975, n-1) + 0.84) sd / sqrt(n)``.
    """
    if n < 2:
        raise ValueError(f'n must be >= 2 seeds, but got {n}')
    return (t_quantile(0.975, n - 1) + Z_POWER_80) * sd_diff / math.sqrt(n)


@dataclass(frozen=True)
class McNemar:
    """McNemar's exact test on clips both arms classified.

    ``only_method``: clips the method gets right and the control wrong;
    ``only_control``: the reverse; ``p``: two-sided exact binomial p-value.
    """
    only_method: int
    only_control: int
    p: float


def mcnemar(method_correct: Mapping[str, bool],
            control_correct: Mapping[str, bool]) -> McNemar:
    """McNemar's exact test of two arms on the same clips.

    Args:
        method_correct (dict[str, bool]): ``clip -> correct`` of the method.
        control_correct (dict[str, bool]): The same for the control; both
            must list the same clips.

    Returns:
        McNemar: The discordant counts and the two-sided exact p-value
        ``min(1, 2 * P(X <= min(b, c)))``, ``X ~ Binomial(b + c, 1/2)``.
    """
    if set(method_correct) != set(control_correct):
        raise ValueError(
            'McNemar needs the same clips for both arms, but '
            f'{len(set(method_correct) ^ set(control_correct))} clips are '
            'in one arm only')
    b = sum(1 for k, ok in method_correct.items()
            if ok and not control_correct[k])
    c = sum(1 for k, ok in method_correct.items()
            if not ok and control_correct[k])
    m = b + c
    if m == 0:
        return McNemar(b, c, 1.0)
    tail = sum(math.comb(m, k) for k in range(min(b, c) + 1)) / 2**m
    return McNemar(b, c, min(1.0, 2 * tail))


def arm_table(results: Mapping[str, Mapping[int, float]]
              ) -> Dict[str, Summary]:
    """``arm -> Summary`` over the seeds each arm ran."""
    return {arm: summarize([by_seed[s] for s in sorted(by_seed)])
            for arm, by_seed in results.items() if by_seed}
