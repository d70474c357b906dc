"""One sentence about the model against "tomorrow = today", computed once here and rendered by every front-end.
Its kind is a field (beats, loses, no_difference, unknown): nobody searches the text for a word."""

from __future__ import annotations

import math

from ..report import Verdict


def skill_verdict(skill: float) -> Verdict:
    """The verdict from the skill alone: above zero the model's error is below persistence's."""
    if not math.isfinite(skill):
        return Verdict("unknown", "The score against 'tomorrow = today' cannot be computed (the prices never move).")
    if skill > 0:
        return Verdict("beats", f"The model's error is {skill:.1%} below 'tomorrow = today' (skill {skill:+.3f}).")
    return Verdict(
        "loses",
        f"The model does NOT beat 'tomorrow = today' (skill {skill:+.3f}): its forecast is no better than copying "
        "today's price.",
    )
