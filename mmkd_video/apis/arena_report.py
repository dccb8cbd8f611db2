"""Read the arena's finished runs and write its report (tools/arena.py).

A run folder holds ``scalars.json`` (mmengine's LocalVisBackend: training
losses every logger interval, ``acc/top1`` after each validation, any
``diag/*`` scalars a diagnostics hook logs) and ``test_preds.pkl`` (the
test split's predictions dumped by ``tools/test.py --dump``). The report
is Markdown with two PNGs next to it: validation top-1 over epochs per arm
(mean and min-max band over seeds) and a forest plot of the paired
differences with their 95 % t-intervals.
"""
import glob
import json
import math
import os
import os.path as osp
import pickle
from typing import Dict, List, Mapping, Optional, Sequence

from .evidence import mcnemar, paired_difference, summarize

# scalars the report looks for; absent ones read "not logged"
CRITIC_KEYS = ('loss_gp', 'loss_adv_d', 'loss_adv_g', 'loss_wasserstein',
               'diag/wasserstein')


def read_scalars(run_dir: str) -> List[dict]:
    """Every record of the run's newest ``scalars.json`` (train and val)."""
    files = sorted(glob.glob(osp.join(run_dir, '2*', 'vis_data',
                                      'scalars.json')))
    if not files:
        raise FileNotFoundError(f'no */vis_data/scalars.json under {run_dir}')
    with open(files[-1]) as f:
        return [json.loads(line) for line in f if line.strip()]


def val_curve(records: Sequence[dict]) -> List[float]:
    """Validation top-1 (%) after each epoch, in order."""
    return [r['acc/top1'] * 100 for r in records if 'acc/top1' in r]


def last_epoch_means(records: Sequence[dict]) -> Dict[str, float]:
    """Mean of each training scalar over the records of the last epoch
    (``loss``, ``loss_*``, ``diag/*``: the logger's window means).

    ``diag/*`` scalars written without an epoch (a hook logging through the
    visualizer at its own step) count by their last five records.
    """
    out = {}
    train = [r for r in records if 'epoch' in r and 'loss' in r]
    if train:
        last = max(r['epoch'] for r in train)
        rows = [r for r in train if r['epoch'] == last]
        keys = sorted({k for r in rows for k in r
                       if k.startswith(('loss', 'diag/'))})
        for k in keys:
            vals = [r[k] for r in rows if k in r]
            out[k] = sum(vals) / len(vals)
    loose = sorted({k for r in records for k in r
                    if k.startswith('diag/') and k not in out})
    for k in loose:
        vals = [r[k] for r in records if k in r][-5:]
        out[k] = sum(vals) / len(vals)
    return out


def read_predictions(path: str) -> Dict[str, bool]:
    """``clip index -> correct`` from a ``tools/test.py --dump`` pickle."""
    with open(path, 'rb') as f:
        samples = pickle.load(f)
    out = {}
    for index, sample in enumerate(samples):
        pred = int(_as_int(sample['pred_label']))
        gt = int(_as_int(sample['gt_label']))
        out[str(index)] = pred == gt
    return out


def _as_int(value):
    if hasattr(value, 'item'):
        return value.reshape(-1)[0].item()
    if isinstance(value, (list, tuple)):
        return value[0]
    return value


def collect_run(run_dir: str) -> dict:
    """One finished run: val curve, last-epoch scalars, test correctness."""
    records = read_scalars(run_dir)
    correct = read_predictions(osp.join(run_dir, 'test_preds.pkl'))
    return dict(val_curve=val_curve(records),
                last=last_epoch_means(records),
                test_correct=correct,
                test_top1=100 * sum(correct.values()) / len(correct))


# --------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------
def _fmt(value: float, digits: int = 1) -> str:
    return 'n/a' if value is None or math.isnan(value) else \
        f'{value:.{digits}f}'


def _mean_sd(values: Sequence[float], digits: int = 1) -> str:
    if not values:
        return 'not run'
    s = summarize(values)
    return f'{s.mean:.{digits}f} ± {_fmt(s.sd, digits)}'


def comparisons(arms, runs: Mapping[str, Mapping[int, dict]],
                metric: str = 'test_top1') -> List[dict]:
    """Paired differences of each arm against each of its controls."""
    out = []
    for arm in arms:
        for rank, control in enumerate(arm.controls):
            if not runs.get(arm.name) or not runs.get(control):
                continue
            method = {s: r[metric] for s, r in runs[arm.name].items()}
            base = {s: r[metric] for s, r in runs[control].items()}
            if not set(method) & set(base):
                continue
            d = paired_difference(method, base)
            tests = [mcnemar(runs[arm.name][s]['test_correct'],
                             runs[control][s]['test_correct'])
                     for s in d.seeds]
            out.append(dict(arm=arm, control=control, primary=rank == 0,
                            diff=d, mcnemar=tests))
    return out


def verdict(d) -> str:
    """What one paired interval says, whatever the numbers are."""
    if d.n < 2:
        return 'one seed: no interval'
    if d.low > 0:
        return 'better (interval above 0)'
    if d.high < 0:
        return 'worse (interval below 0)'
    return (f'no effect detected; effects above ~{d.mde:.1f} points would '
            'have been seen 4 times in 5')


def write_report(out: str, arms, runs, meta: dict,
                 labels: Mapping[str, str]) -> List[str]:
    """Write the Markdown report and its two PNGs; returns the paths."""
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    stem = osp.splitext(out)[0]
    curves_png, forest_png = stem + '_val_curves.png', stem + '_forest.png'
    comps = comparisons(arms, runs)
    lines = [f'# {meta["title"]}', '',
             f'Produced by `{meta["command"]}` ({meta["when"]}); every number '
             'below is read from the runs under '
             f'`{meta["work_dir"]}`.', '']
    lines += meta['design']
    lines += ['', '## Teacher and student alone', '']
    lines += meta['bar']
    lines += ['', '## Test top-1 per arm', '',
              'Top-1 (%) on the held-out test split (400 clips) after the '
              'last epoch (no best-epoch pick), mean ± sample SD over '
              'seeds; val top-1 and the final training loss (mean of the '
              'last epoch\'s logged values) as the runs ended.', '',
              '| arm | seeds | test top-1 | val top-1 | final train loss '
              '(task) | per-seed test |', '|---|---:|---:|---:|---:|---|']
    for arm in arms:
        by_seed = runs.get(arm.name, {})
        seeds = sorted(by_seed)
        test = [by_seed[s]['test_top1'] for s in seeds]
        val = [by_seed[s]['val_curve'][-1] for s in seeds
               if by_seed[s]['val_curve']]
        task = [by_seed[s]['last'].get('loss_cls', float('nan'))
                for s in seeds]
        task = [v for v in task if not math.isnan(v)]
        lines.append(
            f'| {labels[arm.name]} | {len(seeds)} | {_mean_sd(test)} | '
            f'{_mean_sd(val)} | {_mean_sd(task, 2) if task else "n/a"} | '
            f'{", ".join(f"{v:.1f}" for v in test)} |')
    lines += ['', '## Paired differences against the matched control', '',
              'd_s = top-1(arm, seed s) - top-1(control, seed s) on the '
              'test split, both arms from the same saved student '
              'initialisation and the same data order. 95 % t-interval '
              'mean(d) ± t(0.975, n-1)·sd(d)/√n; MDE = (t + 0.84)·sd(d)/√n, '
              'the effect this design finds with 80 % power. McNemar: '
              'seeds whose exact test on the shared test clips has '
              'p < 0.05. Primary rows (**bold** control) answer the '
              'question the arm asks.', '',
              '| arm | control | n | mean d | sd d | 95 % interval | MDE '
              '| McNemar p<0.05 | reading |',
              '|---|---|---:|---:|---:|---|---:|---:|---|']
    for c in comps:
        d = c['diff']
        control = labels[c['control']]
        control = f'**{control}**' if c['primary'] else control
        sig = sum(1 for m in c['mcnemar'] if m.p < 0.05)
        lines.append(
            f'| {labels[c["arm"].name]} | {control} | {d.n} | '
            f'{d.mean:+.1f} | {_fmt(d.sd)} | '
            f'[{_fmt(d.low)}, {_fmt(d.high)}] | {_fmt(d.mde)} | '
            f'{sig}/{d.n} | {verdict(d)} |')
    lines += ['', '## Diagnostics (last epoch, mean over seeds)', '',
              'Per-term losses as logged (weighted); `diag/grad_ratio/<term>` '
              '(gradient norm of a term on the student backbone over the '
              'task loss\'s) and `diag/att_spread` (spread of GenKD attention '
              'across clips) come from a diagnostics hook, the critic\'s '
              '`loss_gp` / Wasserstein estimate from StructKD Ho; "not '
              'logged" where a run has no such scalar.', '']
    keys = sorted({k for runs_ in runs.values() for r in runs_.values()
                   for k in r['last']})
    diag_keys = [k for k in keys if k.startswith('diag/')]
    lines += ['| arm | loss terms | diag/* | critic |', '|---|---|---|---|']
    for arm in arms:
        by_seed = runs.get(arm.name, {})
        if not by_seed:
            continue

        def mean_of(key):
            vals = [r['last'][key] for r in by_seed.values()
                    if key in r['last']]
            return sum(vals) / len(vals) if vals else None

        terms = [f'{k} {mean_of(k):.4g}' for k in keys
                 if k.startswith('loss') and k not in CRITIC_KEYS and
                 mean_of(k) is not None]
        diags = [f'{k} {mean_of(k):.3g}' for k in diag_keys
                 if mean_of(k) is not None]
        critic = [f'{k} {mean_of(k):.4g}' for k in CRITIC_KEYS
                  if mean_of(k) is not None]
        lines.append(f'| {labels[arm.name]} | {", ".join(terms)} | '
                     f'{", ".join(diags) or "not logged"} | '
                     f'{", ".join(critic) or "not logged"} |')
    lines += ['', '## What this shows and what it does not', '']
    lines += meta['reading']
    lines += ['', f'![validation top-1 per arm]({osp.basename(curves_png)})',
              '', f'![paired differences]({osp.basename(forest_png)})', '']
    with open(out, 'w') as f:
        f.write('\n'.join(lines))
    _plot_curves(curves_png, arms, runs, labels)
    _plot_forest(forest_png, comps, labels)
    return [out, curves_png, forest_png]


def _plot_curves(path, arms, runs, labels) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(10, 5))
    # one colour per arm (the default cycle repeats after 10 arms)
    palette = [plt.cm.tab20(k) for k in list(range(0, 20, 2)) +
               list(range(1, 20, 2))]
    for index, arm in enumerate(arms):
        curves = [r['val_curve'] for r in runs.get(arm.name, {}).values()
                  if r['val_curve']]
        if not curves:
            continue
        length = min(len(c) for c in curves)
        epochs = list(range(1, length + 1))
        cols = [[c[i] for c in curves] for i in range(length)]
        mean = [sum(col) / len(col) for col in cols]
        line, = ax.plot(epochs, mean, label=f'{labels[arm.name]} '
                        f'(n={len(curves)})',
                        color=palette[index % len(palette)])
        ax.fill_between(epochs, [min(c) for c in cols],
                        [max(c) for c in cols], alpha=0.15,
                        color=line.get_color())
    ax.set_xlabel('epoch')
    ax.set_ylabel('val top-1 (%)')
    ax.set_title('Validation top-1 per arm: mean over seeds, band = min-max')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc='upper left', bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _plot_forest(path, comps, labels) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rows = [c for c in comps if c['primary']] + \
        [c for c in comps if not c['primary']]
    fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(rows), 2) + 1.2))
    for i, c in enumerate(rows):
        d = c['diff']
        y = len(rows) - 1 - i
        if d.n >= 2:
            ax.plot([d.low, d.high], [y, y], color='black', lw=1.5)
        ax.plot([d.mean], [y], 'o', color='C0' if c['primary'] else 'C7')
        ax.plot(d.diffs, [y] * len(d.diffs), '|', color='C1', ms=8)
    ax.axvline(0, color='grey', lw=0.8, ls='--')
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f'{labels[c["arm"].name]} vs '
                        f'{labels[c["control"]]}' for c in reversed(rows)],
                       fontsize=7)
    ax.set_xlabel('paired difference in test top-1 (points); '
                  'bar = 95 % t-interval, ticks = seeds')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


README_BEGIN = '<!-- arena tables: written by tools/arena.py --readme -->'
README_END = '<!-- end of arena tables -->'


def tables_of(report: str) -> str:
    """The per-arm and the paired tables of a report (Markdown)."""
    out, keep = [], False
    for line in report.splitlines():
        if line.startswith('## '):
            keep = line.startswith(('## Teacher', '## Test top-1',
                                    '## Paired'))
            if keep:
                out += ['', '#' + line]  # one level down inside the README
            continue
        if keep and (line.startswith(('|', '- ')) or not line.strip()):
            out.append(line)
    return '\n'.join(out).strip() + '\n'


def update_readme(readme: str, report_path: str) -> None:
    """Replace the README's block between the arena markers with the
    report's tables (the markers must be there: one error otherwise)."""
    with open(readme) as f:
        text = f.read()
    if README_BEGIN not in text or README_END not in text:
        raise ValueError(f'{readme} has no arena block: add the lines '
                         f'{README_BEGIN!r} and {README_END!r} where the '
                         'tables go')
    with open(report_path) as f:
        tables = tables_of(f.read())
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    with open(readme, 'w') as f:
        f.write(head + README_BEGIN + '\n' + tables + README_END + tail)
