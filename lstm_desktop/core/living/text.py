"""What a tracked forecast says in words: the days known, the band's record against what the run measured, the
error against the flat last price, and the alarm with the evidence it rests on."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .alarm import ALARM_P

if TYPE_CHECKING:
    from .alarm import CoverageCheck
    from .frozen import FrozenForecast
    from .track import Tracked

REFIT = "consider refitting (Run ▸ Update model, or lstm-desktop-cli update)"
SOURCES = {"backtest": "the backtest", "test": "the test split"}


def share(p: float) -> str:
    """A probability as a share of paths."""
    return "under 1 %" if p < 0.01 else f"{p:.0%}"


def _reference_text(tracked: Tracked, frozen: FrozenForecast) -> str:
    reference = frozen.reference
    if reference is None or reference.source == "nominal" or tracked.reference_coverage is None:
        return f"; its nominal level is {tracked.level:.0%} (its coverage was never measured)"
    where = SOURCES[reference.source]
    spread = ""
    if reference.coverage_low is not None and reference.coverage_high is not None:
        kind = "its folds ranged" if reference.source == "backtest" else "within two standard errors,"
        spread = f" ({kind} {reference.coverage_low:.0%}–{reference.coverage_high:.0%})"
    return f"; on {where} it held {tracked.reference_coverage:.0%} at these steps{spread}"


def _band_text(tracked: Tracked, frozen: FrozenForecast, check: CoverageCheck | None) -> str:
    n, inside = tracked.days_known, round((tracked.coverage or 0.0) * tracked.days_known)
    text = f"the band held {inside} of {n} day{'s' if n != 1 else ''} ({tracked.coverage:.0%})"
    text += _reference_text(tracked, frozen) + "."
    if check is None or tracked.coverage_p is None:
        return text
    where = SOURCES.get(tracked.reference_source, "its level")
    if tracked.coverage is not None and tracked.coverage >= check.expected:
        measured = f"as often as on {where}" if tracked.reference_source in SOURCES else "its level"
        return text + f" No sign of a problem: it held at least {measured}."
    text += (
        f" These {n} days come from one forecast and move together, so they are weaker evidence than {n} separate "
        f"forecasts: a band as good as on {where} holds {inside} or fewer of them on {share(tracked.coverage_p)} "
        "of paths"
    )
    if tracked.coverage_p < ALARM_P:
        return text + f": {REFIT}."
    return text + " (an alarm below 5 %): no evidence of a problem yet."


def _skill_text(tracked: Tracked) -> str:
    if tracked.rmse is None or tracked.flat_rmse is None:
        return ""
    text = f" RMSE {tracked.rmse:.4g} against {tracked.flat_rmse:.4g} for the flat last price"
    if tracked.skill is None:
        return text + "."
    text += f" (skill {tracked.skill:+.2f}"
    if tracked.reference_skill is not None:
        text += f"; on the test split {tracked.reference_skill:+.2f} at these steps"
    text += ")"
    moved = np.any(np.abs(tracked.value - tracked.origin_price) > 1e-9 * tracked.origin_price)
    if not moved:
        return text + ": the drawn path is the flat last price, so its skill is 0 by construction."
    if tracked.skill_p is None:
        return text + "."
    if tracked.skill_p < ALARM_P:
        return text + (f": the price went against the drawn path further than it does for a forecast with no skill on "
                       f"{share(1 - tracked.skill_p)} of paths; {REFIT}.")  # fmt: skip
    return text + "."


def tracked_text(tracked: Tracked, frozen: FrozenForecast, check: CoverageCheck | None) -> str:
    """The tracked forecast in a few sentences."""
    who = f"{tracked.ticker}, {tracked.run_name}"
    if tracked.problem is not None:
        return f"The forecast from {tracked.origin} ({who}) cannot be scored: {tracked.problem}."
    if not tracked.days_known:
        days = np.datetime_as_string(tracked.dates.astype("datetime64[D]")).tolist() if len(tracked.dates) else ["?"]
        if tracked.prices_end is not None and tracked.prices_end >= days[0]:
            return (
                f"The forecast from {tracked.origin} ({who}): its days have passed, but the prices (up to "
                f"{tracked.prices_end}) hold none of them, {days[0]} to {days[-1]}: the source skipped them, so it "
                "cannot be scored."
            )
        return (
            f"The forecast from {tracked.origin} ({who}): no day known yet; its first day is {days[0]}. Refresh the "
            "prices once it has passed."
        )
    band = _band_text(tracked, frozen, check)
    return f"Since {tracked.origin} ({who}) {band}{_skill_text(tracked)}"


def refresh_lines(rows: tuple) -> list[str]:
    """One line per ticker of a refresh (RefreshRow), then its notes."""
    lines = []
    for row in rows:
        if row.error is not None:
            lines.append(f"{row.ticker}: not refreshed ({row.origin}): {row.error}")
            continue
        if row.added:
            what = f"{row.added} new day{'s' if row.added != 1 else ''}, {row.first_new} to {row.last}"
        else:
            what = f"nothing new after {row.before}"
        if row.replaced:
            what += f"; its last day {row.replaced} taken from the source (saved before its close)"
        agree = "agree" if not row.factors else "differ by a constant factor"
        lines.append(f"{row.ticker}: {what} ({row.origin}; the {row.overlap_days} common days {agree})")
        lines.extend(f"  note: {note}" for note in row.notes)
    return lines


def track_lines(rows: tuple) -> list[str]:
    """A table of the tracked forecasts (Tracked), then each one's words."""
    if not rows:
        return ["No frozen forecast yet: every run's forecast is kept here once the run is made."]
    head = f"{'run':<22} {'ticker':<10} {'origin':<10} {'days':>4} {'inside':>6} {'RMSE':>10} {'flat RMSE':>10}  alarm"
    lines = [head]
    for t in rows:
        inside = f"{t.coverage:.0%}" if t.coverage is not None else "—"
        rmse = f"{t.rmse:.4g}" if t.rmse is not None else "—"
        flat = f"{t.flat_rmse:.4g}" if t.flat_rmse is not None else "—"
        lines.append(f"{t.run_name[:22]:<22} {t.ticker[:10]:<10} {t.origin:<10} {t.days_known:>4} {inside:>6} "
                     f"{rmse:>10} {flat:>10}  {'ALARM' if t.alarm else ''}")  # fmt: skip
    lines.append("")
    lines.extend(t.text for t in rows)
    return lines
