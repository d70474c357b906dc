"""Which band calibration holds its level? The random-walk band ("tomorrow = today") of every public series,
calibrated by each candidate method at every origin of decades of history, scored on what happened.

No model is trained: the random walk's h-day errors are the h-day log returns, so every method is compared on
thousands of origins per series in seconds. Methods: the one-block calibration of earlier versions (quantiles of
one early block, never updated), a rolling window of raw errors, errors scaled by a plain EWMA volatility (sqrt(h)
rule), scaled by the mean-reverting term structure, each with and without the adaptive level (ACI).

    python tools/band_methods.py                 # every method, every series
    python tools/band_methods.py --json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from band_series import LOADERS

from lstm_desktop.core.assess.sequential import Calibration, interval_scores, sequential_bands
from lstm_desktop.core.assess.volatility import horizon_scale, log_returns

STEPS = 30
WARM = 1000  # origins before scoring starts (every method has calibrated by then)
GROUPS = {"1": (0, 1), "2-5": (1, 5), "6-15": (5, 15), "16-30": (15, 30)}


def random_walk_errors(prices: np.ndarray, steps: int) -> np.ndarray:
    """(origins, steps) log(p[t+h] / p[t]); NaN past the end."""
    n = len(prices)
    logs = np.log(prices)
    out = np.full((n, steps), np.nan)
    for h in range(1, steps + 1):
        out[: n - h, h - 1] = logs[h:] - logs[:-h]
    return out


def static_bands(errors: np.ndarray, block: slice, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Earlier versions' band: conformal quantiles of one block of origins, used unchanged ever after."""
    from lstm_desktop.core.assess.band import conformal_offsets

    low, high = [], []
    for h in range(errors.shape[1]):
        a, b = conformal_offsets(errors[block, h], level)
        low.append(a)
        high.append(b)
    shape = errors.shape
    return np.broadcast_to(np.array(low), shape), np.broadcast_to(np.array(high), shape)


METHODS = {
    # name: (reversion of the volatility term structure or None for raw errors, window, gamma (divided by h)[,
    # the power of the scale, 1 unless given])
    "one block": None,
    "rolling 750 raw": (None, 750, 0.0),
    "rolling 750 raw+ACI": (None, 750, 0.005),
    "ewma sqrt(h)": (1.0, 750, 0.0),
    "mean-rev .985": (0.985, 750, 0.0),
    "mean-rev .985+ACI": (0.985, 750, 0.005),
    "mean-rev .985+ACI .02": (0.985, 750, 0.02),
    "mean-rev .97": (0.97, 750, 0.0),
    "mean-rev .97+ACI": (0.97, 750, 0.005),
    "mean-rev .95": (0.95, 750, 0.0),
    "mean-rev .9": (0.9, 750, 0.0),
    "long-run only": (0.0, 750, 0.0),
    "mean-rev .985 w250+ACI": (0.985, 250, 0.005),
    "mean-rev .985 w1500+ACI": (0.985, 1500, 0.005),
    "mean-rev .97 w1500+ACI": (0.97, 1500, 0.005),
    "mean-rev .97 w1500": (0.97, 1500, 0.0),
    # the scale to a power below 1 (errors / scale**p): the volatility forecast's own error
    "mean-rev .97 w1500+ACI p.9": (0.97, 1500, 0.005, 0.9),
    "mean-rev .97 w1500+ACI p.8": (0.97, 1500, 0.005, 0.8),
    "mean-rev .97 w1500+ACI p.7": (0.97, 1500, 0.005, 0.7),
    "mean-rev .97 w1500+ACI p.6": (0.97, 1500, 0.005, 0.6),
    "mean-rev .97 w1500+ACI p.5": (0.97, 1500, 0.005, 0.5),
    "mean-rev .985 w1500+ACI p.7": (0.985, 1500, 0.005, 0.7),
}


def evaluate(prices: np.ndarray, method: tuple | None) -> dict:
    errors = random_walk_errors(prices, STEPS)
    returns = log_returns(prices)
    level = 0.9
    if method is None:
        low, high = static_bands(errors, slice(WARM - 500, WARM), level)
    else:
        reversion, window, gamma, power = (*method, 1.0)[:4]
        scale = np.ones_like(errors) if reversion is None else horizon_scale(returns, STEPS, reversion)
        calibration = Calibration(levels=(level,), window=window, gamma=gamma, scale_power=power)
        bands = sequential_bands(errors, scale, calibration)
        low, high = bands.lower[0], bands.upper[0]
    rows = slice(WARM, None)
    e, lo, hi = errors[rows], low[rows], high[rows]
    known = np.isfinite(e) & np.isfinite(lo)
    hit = (e >= lo) & (e <= hi) & known
    score = np.where(known, interval_scores(e, lo, hi, level), np.nan)
    vol = horizon_scale(returns, 1)[rows, 0]
    calm = vol <= np.nanmedian(vol)
    out = {"origins": int(known[:, 0].sum())}
    for name, (a, b) in GROUPS.items():
        out[name] = float(hit[:, a:b].sum() / known[:, a:b].sum())
    out["calm"] = float(hit[calm].sum() / known[calm].sum())
    out["turbulent"] = float(hit[~calm].sum() / known[~calm].sum())
    out["winkler5"] = float(np.nanmean(score[:, 4]))
    out["winkler30"] = float(np.nanmean(score[:, 29]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    series = {name: load()[1] for name, load in LOADERS.items()}
    results: dict[str, dict] = {}
    header = f"{'method':20} {'series':7} {'orig':>5} " + " ".join(f"{g:>6}" for g in GROUPS)
    header += f" {'calm':>6} {'turb':>6} {'IS 5':>7} {'IS 30':>7}"
    if not args.json:
        print(header)
    for method in args.methods:
        rows = {name: evaluate(prices, METHODS[method]) for name, prices in series.items()}
        results[method] = rows
        if args.json:
            continue
        for name, row in [*rows.items(), ("pooled", pooled(rows))]:
            print(
                f"{method:20} {name:7} {row['origins']:>5} "
                + " ".join(f"{row[g]:>6.1%}" for g in GROUPS)
                + f" {row['calm']:>6.1%} {row['turbulent']:>6.1%} {row['winkler5']:>7.4f} {row['winkler30']:>7.4f}",
                flush=True,
            )
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


def pooled(rows: dict) -> dict:
    """Origin-weighted means over the series."""
    weights = np.array([r["origins"] for r in rows.values()], dtype=np.float64)
    out = {"origins": int(weights.sum())}
    for key in [*GROUPS, "calm", "turbulent", "winkler5", "winkler30"]:
        out[key] = float(np.average([r[key] for r in rows.values()], weights=weights))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
