"""The comparison in one or two sentences, from the adjusted p-values only: which cells cannot be told apart,
which they beat, and what each input left out changes ("GRU and LSTM: no measurable difference (p = 0.61); both
beat the plain RNN (p = 0.003)")."""

from __future__ import annotations

from collections.abc import Sequence

from ..assess.verdict import p_words
from .pairs import SIGNIFICANCE, phrase
from .report import PairRow, VariantRow


def _pair(pairs: Sequence[PairRow], a: str, b: str) -> PairRow | None:
    return next((p for p in pairs if {p.a, p.b} == {a, b}), None)


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


def _quoted(pairs: Sequence[PairRow], tied: bool) -> str:
    """The adjusted p-value that decides: the smallest of tied pairs, the largest of beaten ones."""
    values = [p.p_adjusted for p in pairs]
    if len(values) == 1:
        return p_words(values[0])
    value = min(values) if tied else max(values)
    return ("p ≥ " if tied else "p ≤ ") + p_words(value)[4:] if value >= 0.001 else "p < 0.001"


def cells_verdict(rows: Sequence[VariantRow], pairs: Sequence[PairRow]) -> str:
    """The cells: the best (lowest test RMSE) and those not measurably worse, then those they beat."""
    cells = sorted((r for r in rows if r.dropped is None and r.rmse is not None), key=lambda r: r.rmse)
    if len(cells) < 2:
        return ""
    best = cells[0]
    tied = [r for r in cells[1:] if (p := _pair(pairs, best.name, r.name)) is not None and p.p_adjusted >= SIGNIFICANCE]
    group = [best, *tied]
    beaten = [r for r in cells if r not in group]
    parts = []
    if len(group) > 1:
        inside = [p for i, a in enumerate(group) for b in group[i + 1 :] if (p := _pair(pairs, a.name, b.name))]
        names = sorted(r.name for r in group)
        parts.append(f"{_names(names)}: no measurable difference ({_quoted(inside, tied=True)})")
    by_all = [r for r in beaten if all(_beats(pairs, g, r) for g in group)]
    if by_all:
        against = [p for g in group for r in by_all if (p := _pair(pairs, g.name, r.name))]
        who = best.name if len(group) == 1 else "both" if len(group) == 2 else f"all {len(group)}"
        verb = "beats" if len(group) == 1 else "beat"
        parts.append(f"{who} {verb} {_names([phrase(r.name) for r in by_all])} ({_quoted(against, tied=False)})")
    for r in beaten:
        if r not in by_all:
            pair = _pair(pairs, best.name, r.name)
            parts.append(f"{best.name} beats {phrase(r.name)} ({p_words(pair.p_adjusted)})")
    return "; ".join(parts)


def _beats(pairs: Sequence[PairRow], a: VariantRow, b: VariantRow) -> bool:
    pair = _pair(pairs, a.name, b.name)
    if pair is None or not pair.p_adjusted < SIGNIFICANCE:
        return False
    return pair.statistic < 0 if pair.a == a.name else pair.statistic > 0


def verdict(rows: Sequence[VariantRow], pairs: Sequence[PairRow]) -> str:
    """The whole comparison in words (adjusted p-values; differences only where they are below 5 %)."""
    parts = [cells_verdict(rows, pairs)]
    parts += [p.text for p in pairs if any(r.name == p.b and r.dropped is not None for r in rows)]
    failed = [r.name for r in rows if r.error is not None]
    if failed:
        parts.append(f"{_names(failed)} did not finish")
    text = "; ".join(p for p in parts if p)
    if not text:
        return "Too few variants finished to compare."
    return text[0].upper() + text[1:] + "."
