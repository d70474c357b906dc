"""The model's band and the random-walk band over every fold's test origins pooled: coverage per step, width and
interval score per step, the calm and turbulent halves (split at the median volatility forecast of all the pooled
origins), and the verdict between the two bands from a Diebold–Mariano test on the per-origin interval scores."""

from __future__ import annotations

import math

import numpy as np

from ..assess.band_verdict import band_verdict
from ..assess.sequential import MAIN_LEVEL
from ..report import BandSummary, Coverage, FoldReport, PooledBand


def pooled_band(folds: list[FoldReport], cover: Coverage | None) -> PooledBand | None:
    """None unless every fold has both bands' detail (folds of runs made before sequential bands have not)."""
    pairs = [(f.coverage, f.baseline_coverage) for f in folds]
    if not pairs or cover is None or any(m is None or b is None or m.detail is None or b.detail is None
                                         for m, b in pairs):  # fmt: skip
        return None
    models = [m for m, _ in pairs]
    baselines = [b for _, b in pairs]
    model, baseline = summary(models), summary(baselines)
    model_scores = np.concatenate([m.detail.winkler for m in models])
    baseline_scores = np.concatenate([b.detail.winkler for b in baselines])
    steps = max(len(m.by_step) for m in models)
    verdict = band_verdict(model_scores, baseline_scores, cover, MAIN_LEVEL, steps)
    return PooledBand(model=model, baseline=baseline, verdict=verdict)


def summary(covers: list[Coverage]) -> BandSummary:
    """Pooled coverage, width and interval score per step (weighted by the forecasts each fold scored)."""
    steps = max(len(c.known) for c in covers)

    def weighted(name: str) -> tuple[float, ...]:
        total, count = np.zeros(steps), np.zeros(steps)
        for c in covers:
            values = np.asarray(getattr(c, name), dtype=np.float64)
            known = np.asarray(c.known, dtype=np.float64)[: len(values)]
            good = np.isfinite(values)
            total[: len(values)] += np.where(good, values * known, 0.0)
            count[: len(values)] += np.where(good, known, 0.0)
        return tuple(float(t / n) if n else math.nan for t, n in zip(total, count))

    by_step = weighted("by_step")
    known = np.zeros(steps)
    for c in covers:
        known[: len(c.known)] += c.known
    overall = float(np.nansum(np.asarray(by_step) * known) / known.sum()) if known.sum() else math.nan
    volatility = np.concatenate([c.detail.volatility for c in covers])
    inside = np.concatenate([c.detail.inside for c in covers])
    scored = np.concatenate([c.detail.known for c in covers])
    finite = np.isfinite(volatility) & (scored > 0)
    calm = turbulent = math.nan
    if finite.sum() >= 2:
        median = float(np.median(volatility[finite]))
        low = finite & (volatility <= median)
        high = finite & (volatility > median)
        calm = float(inside[low].sum() / scored[low].sum()) if scored[low].sum() else math.nan
        turbulent = float(inside[high].sum() / scored[high].sum()) if scored[high].sum() else math.nan
    return BandSummary(
        overall=overall, by_step=by_step, width=weighted("width"), winkler=weighted("winkler"), calm=calm,
        turbulent=turbulent,
    )  # fmt: skip
