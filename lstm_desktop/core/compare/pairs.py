"""Which variants really differ: Diebold–Mariano tests of squared one-step errors on the same test days, Holm's
adjustment for the number of pairs, and the sentences that say what the adjusted p-values support. numpy only."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..assess.significance import diebold_mariano
from ..assess.verdict import p_words
from ..report import Series
from .report import PairRow, VariantRow

SIGNIFICANCE = 0.05


def holm(p_values: Sequence[float]) -> tuple[float, ...]:
    """Holm's step-down adjustment: the k-th smallest of m p-values times (m - k + 1), kept monotone, at most 1.
    Rejecting where the adjusted value is below α keeps the chance of any false difference below α."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: (math.isnan(p_values[i]), p_values[i]))
    adjusted = [math.nan] * m
    running = 0.0
    for rank, index in enumerate(order):
        p = p_values[index]
        if math.isnan(p):
            continue
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[index] = running
    return tuple(adjusted)


def common_errors(a: Series, b: Series) -> tuple[np.ndarray, np.ndarray]:
    """Each series' errors (actual - predicted) on the days both predicted."""
    _, in_a, in_b = np.intersect1d(a.dates, b.dates, return_indices=True)
    return (a.actual - a.predicted)[in_a], (b.actual - b.predicted)[in_b]


def phrase(name: str) -> str:
    """A variant's name inside a sentence ("the plain RNN")."""
    return f"the {name}" if name.startswith("plain") else name


def _p(p_value: float, adjusted: float, pairs: int) -> str:
    """The p-value in words, and with several pairs the adjusted one too ("p = 0.20; adjusted for 3 pairs = 0.61")."""
    if pairs == 1:
        return p_words(p_value)
    return f"{p_words(p_value)}; adjusted for {pairs} pairs {p_words(adjusted)[2:]}"


def cell_text(a: VariantRow, b: VariantRow, statistic: float, p_value: float, adjusted: float, pairs: int) -> str:
    """One pair of cells in words: who beats whom, only when the adjusted p-value says so."""
    quoted = _p(p_value, adjusted, pairs)
    if not adjusted < SIGNIFICANCE:
        return f"{a.name} and {b.name}: no measurable difference ({quoted})"
    better, worse = (a, b) if statistic < 0 else (b, a)
    return f"{better.name} beats {phrase(worse.name)} ({quoted})"


def input_text(full: VariantRow, dropped: VariantRow, p_value: float, adjusted: float, pairs: int) -> str:
    """An input left out in words: the change of skill without it and whether that change is more than chance."""
    change = (dropped.skill or math.nan) - (full.skill or math.nan)
    quoted = _p(p_value, adjusted, pairs)
    text = f"without {dropped.dropped} the skill changes by {f'{change:+.4f}'.replace('-', '−')} ({quoted})"
    if not adjusted < SIGNIFICANCE:
        return text + ": it does not measurably help"
    return text + (": it helps" if change < 0 else ": it hurts (the model is better without it)")


def pair_rows(rows: Sequence[VariantRow], series: dict[str, Series]) -> tuple[PairRow, ...]:
    """Every pair of cells (variants with all inputs), and each input left out against its full model; Holm over
    all of them. Variants without predictions (failed) are in no pair."""
    ran = [r for r in rows if r.name in series]
    cells = [r for r in ran if r.dropped is None]
    tests: list[tuple[VariantRow, VariantRow]] = [(a, b) for i, a in enumerate(cells) for b in cells[i + 1 :]]
    for dropped in (r for r in ran if r.dropped is not None):
        full = next((c for c in cells if c.cell == dropped.cell), None)  # the same cell with every input
        if full is not None:
            tests.append((full, dropped))
    measured = []
    for a, b in tests:
        errors_a, errors_b = common_errors(series[a.name], series[b.name])
        statistic, p_value = diebold_mariano(errors_a, errors_b)
        measured.append((a, b, len(errors_a), statistic, p_value))
    adjusted = holm([m[4] for m in measured])
    out = []
    for (a, b, days, statistic, p_value), p_adj in zip(measured, adjusted, strict=True):
        if b.dropped is None:
            text = cell_text(a, b, statistic, p_value, p_adj, len(measured))
        else:
            text = input_text(a, b, p_value, p_adj, len(measured))
        out.append(PairRow(a.name, b.name, days, statistic, p_value, p_adj, text))
    return tuple(out)
