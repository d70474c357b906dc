"""The band's verdict in one sentence: is it sharper than, as sharp as, or wider than the random-walk band, by a
Diebold–Mariano test of the interval scores on the same origins (and a difference of at least 1 %: a consistent
but negligible difference is no reason to prefer a band), and did it hold its level?"""

from __future__ import annotations

import math

import numpy as np

from ..report import BandVerdict, Coverage
from .significance import diebold_mariano_losses

SIGNIFICANCE = 0.05
MATTERS = 0.01  # sharper or wider only when the mean interval scores also differ by at least 1 %


HELD_WITHIN = 0.03  # a band "held its level" when its coverage is within 3 points of it (87-93 % for 90 %)


def held_level(cover: Coverage, level: float) -> bool | None:
    """Whether the coverage is within HELD_WITHIN of the level (None when it could not be measured). Outside it,
    the words still say when the miss is within two standard errors (too few independent days to tell)."""
    if not math.isfinite(cover.overall):
        return None
    return abs(cover.overall - level) <= HELD_WITHIN


def band_verdict(model: np.ndarray, baseline: np.ndarray, cover: Coverage, level: float, steps: int) -> BandVerdict:
    """From the per-origin mean interval scores of the model's band and the random-walk band (same origins)."""
    both = np.isfinite(model) & np.isfinite(baseline)
    held = held_level(cover, level)
    if both.sum() < max(10, 2 * steps):
        return BandVerdict(
            "unknown", None,
            f"Too few test origins ({int(both.sum())}) to compare {steps}-day bands with the random-walk band; "
            f"{_held_words(held, cover, level)} ({_inside(cover)}).",
            held,
        )  # fmt: skip
    a, b = model[both], baseline[both]
    if np.array_equal(a, b):
        return BandVerdict(
            "same", 1.0,
            f"The drawn path is the flat last price here (the model did not clearly help on the errors known), so its "
            f"band is the random-walk band; {_held_words(held, cover, level)} ({_inside(cover)}).",
            held,
        )  # fmt: skip
    statistic, p = diebold_mariano_losses(a, b, horizon=steps)
    ratio = float(a.mean() / b.mean()) if b.mean() > 0 else math.nan
    differs = math.isfinite(p) and p < SIGNIFICANCE and math.isfinite(ratio) and abs(ratio - 1.0) >= MATTERS
    kind = ("sharper" if statistic < 0 else "wider") if differs else "same"
    words = {
        "sharper": "sharper than the random-walk band",
        "wider": "wider (worse) than the random-walk band",
        "same": "no sharper and no wider than the random-walk band",
    }[kind]
    p_text = f"p = {p:.2g}" if math.isfinite(p) else "p unknown"
    score = f"interval score {ratio:.3f}× the random walk's, {p_text}" if math.isfinite(ratio) else p_text
    text = f"The {level:.0%} band is {words} ({score}); {_held_words(held, cover, level)} ({_inside(cover)})."
    return BandVerdict(kind, float(p) if math.isfinite(p) else None, text, held)


def _held_words(held: bool | None, cover: Coverage, level: float) -> str:
    if held is None:
        return "its level could not be checked"
    if held:
        return "it held its level"
    error = cover.sampling_error if math.isfinite(cover.sampling_error) else 0.0
    if abs(cover.overall - level) <= 2 * error:
        side = "below" if cover.overall < level else "above"
        return f"it held {side} its level, but within its sampling error: too few independent test days to tell"
    if cover.overall < level:
        return "it was too narrow: expect prices outside it more often than promised"
    return "it was wider than it needed to be"


def _inside(cover: Coverage) -> str:
    error = f" ± {cover.sampling_error:.1%}" if math.isfinite(cover.sampling_error) else ""
    return f"{cover.overall:.1%}{error} of the prices of {cover.origins} test origins inside"
