"""A finished variant's row of the table, and the baselines' rows: scores read from its typed run report."""

from __future__ import annotations

import math
import statistics

import numpy as np

from ..report import RunReport
from .report import BaselineRow, VariantRow
from .variants import Variant


def band_width(report: RunReport) -> float | None:
    """The 90 % band's mean width on the test origins at one day ahead, in log prices (about the relative width):
    the band's own measure; runs made before it report one fall back to mean((upper - lower) / predicted)."""
    cover = report.band.coverage.get("test")
    if cover is not None and cover.width:
        return _finite(cover.width[0])
    test = report.predictions.get("test")
    if test is None or test.lower is None or test.upper is None:
        return None
    ratio = (test.upper - test.lower) / test.predicted
    ratio = ratio[np.isfinite(ratio)]
    return float(ratio.mean()) if len(ratio) else None


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def variant_row(variant: Variant, report: RunReport, run: str) -> VariantRow:
    """The row of a variant that ran."""
    from ..learn.model import parameter_count

    test = report.metrics.get("test")
    verdict = test.verdict if test is not None else None
    cover = report.band.coverage.get("test")
    pooled = None
    if report.backtest is not None and report.backtest.aggregate is not None:
        pooled = report.backtest.aggregate.pooled.skill
    epochs = [e.seconds for e in report.history]
    return VariantRow(
        name=variant.name,
        cell=variant.cell,
        inputs=tuple(i.label for i in report.inputs),
        dropped=variant.dropped,
        run=run,
        rmse=_finite(test.model.rmse) if test else None,
        skill=_finite(test.skill) if test else None,
        skill_low=_finite(verdict.skill_low) if verdict else None,
        skill_high=_finite(verdict.skill_high) if verdict else None,
        coverage=_finite(cover.overall) if cover else None,
        width=band_width(report),
        pooled_skill=_finite(pooled),
        parameters=parameter_count(len(report.inputs), report.settings.dataset.horizon, report.settings.model),
        seconds_per_epoch=statistics.median(epochs) if epochs else None,
    )


def failed_row(variant: Variant, error: str) -> VariantRow:
    """The row of a variant that did not finish, with its reason."""
    inputs: tuple[str, ...] = ()
    return VariantRow(variant.name, variant.cell, inputs, variant.dropped, None, error=error)


def baseline_rows(report: RunReport) -> tuple[BaselineRow, ...]:
    """Persistence, drift and the ridge autoregression on the test days, as the run scored them."""
    test = report.metrics.get("test")
    if test is None:
        return ()
    persistence = test.persistence.rmse
    rows = [BaselineRow("persistence", persistence, 0.0), BaselineRow("drift", test.drift.rmse, 0.0)]
    if test.linear is not None:
        rows.append(BaselineRow("ridge", test.linear.rmse, 0.0))
    return tuple(BaselineRow(r.name, r.rmse, 1.0 - r.rmse / persistence if persistence > 0 else math.nan)
                 for r in rows)  # fmt: skip
