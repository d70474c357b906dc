"""Plot axes that label what a person reads: whole epochs; 1, 2 and 5 times a power of ten on a log scale."""

from __future__ import annotations

import math

import pyqtgraph as pg


class EpochAxis(pg.AxisItem):
    """An axis that labels whole epochs only (short runs otherwise show 1.5, 2.5...)."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # pyqtgraph's names
        levels = [
            (spacing, [v for v in values if float(v).is_integer()])
            for spacing, values in super().tickValues(minVal, maxVal, size)
            if spacing >= 1
        ]
        if levels:
            return levels
        return [(1.0, [float(v) for v in range(math.ceil(minVal), math.floor(maxVal) + 1)])]


class LossAxis(pg.AxisItem):
    """A log-scale axis that labels 1, 2 and 5 times a power of ten only; pyqtgraph labels every minor tick of a
    decade, which piles up unreadable text when the losses span less than two decades."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # pyqtgraph's names
        """pyqtgraph's levels, each without the values of the levels before it (in log mode the minor level
        repeats the decades, whose labels were then drawn twice)."""
        seen: set[float] = set()
        levels = []
        for spacing, values in super().tickValues(minVal, maxVal, size):
            levels.append((spacing, [v for v in values if round(float(v), 9) not in seen]))
            seen.update(round(float(v), 9) for v in values)
        return levels

    def logTickStrings(self, values: list, scale: float, spacing: float) -> list[str]:  # pyqtgraph's names
        strings = super().logTickStrings(values, scale, spacing)
        return [text if _mantissa_in(value, (1.0, 2.0, 5.0)) else "" for value, text in zip(values, strings)]


def _mantissa_in(log_value: float, mantissas: tuple[float, ...]) -> bool:
    mantissa = 10 ** (log_value - math.floor(log_value + 1e-9))
    return any(abs(mantissa - m) < 1e-6 * m for m in mantissas)
