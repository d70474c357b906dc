"""A linear baseline: ridge autoregression on the model's own inputs (each window flattened), fitted on the
training windows only, its penalty chosen on the validation windows. If the LSTM cannot beat a linear model of
the same inputs, its extra machinery bought nothing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..learn.dataset import Dataset

PENALTIES = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0)


@dataclass(frozen=True)
class Ridge:
    """y = x @ coef + intercept, for flattened windows x (samples, window * n_inputs)."""

    coef: np.ndarray  # (features, horizon)
    intercept: np.ndarray  # (horizon,)
    penalty: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        return flatten(x) @ self.coef + self.intercept


def flatten(x: np.ndarray) -> np.ndarray:
    """(samples, window, n_inputs) -> (samples, window * n_inputs), float64."""
    return np.asarray(x, dtype=np.float64).reshape(len(x), -1)


def fit_ridge(x: np.ndarray, y: np.ndarray, penalty: float) -> Ridge:
    """Closed-form ridge with an unpenalised intercept: centre, then solve (XᵀX + λI) w = XᵀY."""
    return _Centred.of(x, y).ridge(penalty)


@dataclass(frozen=True)
class _Centred:
    """The products of the centred data that every penalty shares: computed once, not once per penalty."""

    x_mean: np.ndarray
    y_mean: np.ndarray
    gram: np.ndarray  # XᵀX of the centred inputs
    cross: np.ndarray  # XᵀY of the centred inputs and targets

    @staticmethod
    def of(x: np.ndarray, y: np.ndarray) -> _Centred:
        features, targets = flatten(x), np.asarray(y, dtype=np.float64)
        x_mean, y_mean = features.mean(axis=0), targets.mean(axis=0)
        centred_x, centred_y = features - x_mean, targets - y_mean
        return _Centred(x_mean, y_mean, centred_x.T @ centred_x, centred_x.T @ centred_y)

    def ridge(self, penalty: float) -> Ridge:
        coef = np.linalg.solve(self.gram + penalty * np.eye(len(self.gram)), self.cross)
        return Ridge(coef, self.y_mean - self.x_mean @ coef, penalty)


def fit_linear_baseline(dataset: Dataset) -> Ridge:
    """The ridge whose penalty gives the lowest validation error (trained on the training windows only)."""
    best: Ridge | None = None
    best_error = np.inf
    centred = _Centred.of(dataset.x["train"], dataset.y["train"])
    for penalty in PENALTIES:
        candidate = centred.ridge(penalty * len(dataset.x["train"]))
        error = float(np.mean((candidate.predict(dataset.x["val"]) - dataset.y["val"]) ** 2))
        if error < best_error:
            best, best_error = candidate, error
    assert best is not None
    return best


def linear_one_step(dataset: Dataset, ridge: Ridge, split: str) -> np.ndarray:
    """The baseline's one-step-ahead price predictions on a split."""
    scaled = ridge.predict(dataset.x[split])
    return dataset.to_prices(scaled, dataset.anchors[split])[:, 0]
