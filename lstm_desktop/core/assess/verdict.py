"""One sentence about the model against "tomorrow = today", computed once here and rendered by every front-end.
Its kind is a field (beats, loses, no_difference, unknown): nobody searches the text for a word.

It says only what the numbers support: "beats" or "loses" only when a Diebold–Mariano test of squared errors
rejects equality at 5 %; the size of the gap in words; the skill's spread over the days of the split; and a cause
only when one was measured (the share of days whose price lies outside the training range).
"""

from __future__ import annotations

import math

import numpy as np

from ..report import Verdict
from .significance import diebold_mariano, skill_interval

SIGNIFICANCE = 0.05
BASELINE = "'tomorrow = today'"


def gap_words(ratio: float) -> str:
    """RMSE(model) / RMSE(persistence) in words."""
    if ratio >= 2:
        return f"{ratio:.1f}× the error of {BASELINE}"
    if ratio >= 1:
        return f"{ratio - 1:.1%} more error than {BASELINE}"
    return f"{1 - ratio:.1%} less error than {BASELINE}"


def p_words(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}" if p_value < 0.1 else f"p = {p_value:.2f}"


def verdict(
    model_errors: np.ndarray, persistence_errors: np.ndarray, skill: float, outside_share: float | None = None
) -> Verdict:
    """The verdict from the one-step errors of the model and of persistence on the same days."""
    if not math.isfinite(skill):
        return Verdict("unknown", f"The score against {BASELINE} cannot be computed: the prices never move here.")
    statistic, p_value = diebold_mariano(model_errors, persistence_errors)
    low, high = skill_interval(model_errors, persistence_errors)
    ratio = 1.0 - skill
    details = f"skill {skill:+.4f}, 90 % interval {low:+.4f} to {high:+.4f}; Diebold–Mariano {p_words(p_value)}"
    if not math.isfinite(p_value):
        return Verdict("unknown", f"Too few days to tell the model from {BASELINE} ({details}).", None, low, high)
    if p_value >= SIGNIFICANCE:
        text = (
            f"No measurable difference from {BASELINE}: {gap_words(ratio)}, within what chance gives ({details}). "
            "The forecast is about as good as copying today's price."
        )
        return Verdict("no_difference", text, p_value, low, high)
    if statistic < 0:
        text = f"The model beats {BASELINE}: {gap_words(ratio)} ({details})."
        return Verdict("beats", text, p_value, low, high)
    text = f"The model loses to {BASELINE}: {gap_words(ratio)} ({details})."
    if outside_share is not None and outside_share >= 0.1:
        text += f" {outside_share:.0%} of these days' prices lie outside the range the model trained on."
    return Verdict("loses", text, p_value, low, high)


def skill_verdict(skill: float) -> Verdict:
    """A verdict from the skill alone, for runs saved before the significance test (no errors were kept)."""
    if not math.isfinite(skill):
        return Verdict("unknown", f"The score against {BASELINE} cannot be computed: the prices never move here.")
    return Verdict(
        "unknown",
        f"Skill {skill:+.4f} against {BASELINE}: {gap_words(1.0 - skill)} (saved by an older version, which did "
        "not test whether the difference is more than chance).",
    )
