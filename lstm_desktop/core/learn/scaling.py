"""Per-feature scalers fitted on training rows only, with parameters that serialise to plain JSON."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..specs import SCALERS


@dataclass(frozen=True)
class Scaler:
    """x_scaled = (x - offset) / scale, per column. minmax: offset=min, scale=max-min; standard: mean, std."""

    kind: str
    names: tuple[str, ...]
    offset: tuple[float, ...]
    scale: tuple[float, ...]

    def __post_init__(self) -> None:
        if self.kind not in SCALERS:
            raise ValueError(f"unknown scaler {self.kind!r}")
        if not len(self.names) == len(self.offset) == len(self.scale):
            raise ValueError("a scaler needs one offset and one scale per column")
        if not all(math.isfinite(o) for o in self.offset) or not all(math.isfinite(s) and s > 0 for s in self.scale):
            raise ValueError("scaler offsets must be finite and scales finite and above zero")

    @classmethod
    def fit(cls, kind: str, names: list[str] | tuple[str, ...], rows: np.ndarray) -> Scaler:
        """Fit on `rows` (n, n_features): pass the training rows only."""
        rows = np.asarray(rows, dtype=np.float64).reshape(len(rows), -1)
        if kind == "minmax":
            offset = rows.min(axis=0)
            scale = rows.max(axis=0) - offset
        else:
            offset = rows.mean(axis=0)
            scale = rows.std(axis=0)
        scale = np.where(scale > 0, scale, 1.0)  # a constant column maps to 0, not to NaN
        return cls(kind, tuple(names), tuple(map(float, offset)), tuple(map(float, scale)))

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, dtype=np.float64) - np.array(self.offset)) / np.array(self.scale)

    def inverse(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=np.float64) * np.array(self.scale) + np.array(self.offset)
