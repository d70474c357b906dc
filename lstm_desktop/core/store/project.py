"""Projects: a run's settings, exact data, weights and results, saved to and reopened from .lstmproj files.

Reopening needs no network and no retraining: the dataset is rebuilt from the stored prices and the model from
the stored weights, so predictions and forecast can be recomputed and compared with the stored ones.
"""

from __future__ import annotations

import datetime as dt
import io
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstm_desktop import __version__

from ..data.prices import PRICE_COLUMNS, PriceFrame
from ..errors import ProjectFileError
from ..learn.dataset import Dataset, build_dataset
from ..learn.model import LSTMForecaster
from ..pipeline import RunResult, document
from ..specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
from . import project_file
from .schema import SCHEMA_VERSION, dataclass_from_dict, migrate, require


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("torch", "numpy", "pandas", "yfinance", "safetensors"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@dataclass
class Project:
    """A unit of work: settings and data, and once trained, weights and results."""

    config: RunConfig
    frames: list[PriceFrame]
    weights: dict[str, Any] | None = None  # torch state dict
    results: dict | None = None  # the run document without settings: history, metrics, forecast...
    notes: str = ""
    created: str = field(default_factory=_now)
    modified: str = field(default_factory=_now)
    saved_with: dict = field(default_factory=dict)  # app and library versions that wrote the file
    _dataset: Dataset | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_run(cls, result: RunResult, notes: str = "") -> Project:
        results = document(result)
        results.pop("settings")
        results["feature_names"] = list(result.dataset.feature_names)
        weights = {k: v.detach().cpu().contiguous() for k, v in result.model.state_dict().items()}
        return cls(result.config, result.frames, weights, results, notes, _dataset=result.dataset)

    @property
    def trained(self) -> bool:
        return self.weights is not None and self.results is not None

    # ----- rebuilding from what is stored -----
    def dataset(self) -> Dataset:
        if self._dataset is None:
            self._dataset = build_dataset(self.frames, self.config.dataset)
        return self._dataset

    def model(self) -> LSTMForecaster:
        if self.weights is None:
            raise ProjectFileError("This project has no trained model yet: train it first.")
        data = self.dataset()
        model = LSTMForecaster(data.n_features, data.spec.horizon, self.config.model)
        try:
            model.load_state_dict(self.weights, strict=True)
        except RuntimeError as exc:
            raise ProjectFileError(
                "The project file is damaged: the stored weights do not fit the model its settings describe."
            ) from exc
        return model.eval()

    def recompute(self) -> tuple[dict, dict, list[dict]]:
        """(metrics, predictions, forecast) recomputed from the stored weights and prices."""
        from ..assess.evaluation import evaluate
        from ..assess.forecast import forecast

        model, data = self.model(), self.dataset()
        metrics, predictions = evaluate(data, model)
        days = len(self.results.get("forecast", [])) if self.results else self.config.forecast_days
        return metrics, predictions, forecast(data, model, days)

    def forecast(self, days: int) -> list[dict]:
        from ..assess.forecast import forecast

        return forecast(self.dataset(), self.model(), days)

    def document(self) -> dict:
        """The run document of `train --json`, plus a `project` key."""
        target = self.frames[0]
        doc: dict = (
            dict(self.results)
            if self.results
            else {
                "data": {
                    "source": target.source,
                    "ticker": target.ticker,
                    "tickers": [f.ticker for f in self.frames],
                    "rows": target.rows,
                    "start": target.start,
                    "end": target.end,
                    "price_column": self.config.dataset.target,
                    "origin": target.origin,
                },
            }
        )
        doc.pop("feature_names", None)
        doc["settings"] = self.config.to_dict()
        doc["project"] = {
            "schema_version": SCHEMA_VERSION,
            "app_version": __version__,
            "created": self.created,
            "modified": self.modified,
            "notes": self.notes,
            "saved_with": self.saved_with,
            "trained": self.trained,
        }
        return doc

    # ----- bytes -----
    def to_bytes(self) -> bytes:
        from safetensors.torch import save

        self.modified = _now()
        meta = {
            "schema_version": SCHEMA_VERSION,
            "app": {"name": "lstm-desktop", "version": __version__},
            "libraries": library_versions(),
            "created": self.created,
            "modified": self.modified,
            "notes": self.notes,
            "settings": self.config.to_dict(),
            "data": {
                "tickers": [
                    {
                        "ticker": f.ticker,
                        "source": f.source,
                        "origin": f.origin,
                        "repairs": f.repairs,
                        "request": f.request,
                    }
                    for f in self.frames
                ]
            },
            "results": self.results,
        }
        weights = save(self.weights) if self.weights is not None else None
        return project_file.pack(meta, _prices_csv(self.frames), weights)


def _prices_csv(frames: list[PriceFrame]) -> bytes:
    """The exact prices trained on, long format, floats written so they read back bit-identical."""
    parts = []
    for frame in frames:
        table = frame.frame.reset_index()
        table.insert(0, "Ticker", frame.ticker)
        parts.append(table)
    # pandas writes floats as their shortest round-trip repr: bit-identical on reading, and fast
    return pd.concat(parts).to_csv(index=False, date_format="%Y-%m-%d").encode()


def _read_prices(data: bytes, tickers: list[dict]) -> list[PriceFrame]:
    try:
        table = pd.read_csv(io.BytesIO(data), dtype={"Ticker": str})
        table["Date"] = pd.to_datetime(table["Date"], format="%Y-%m-%d")
    except (ValueError, KeyError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ProjectFileError(f"The project file is damaged: prices.csv cannot be read ({exc}).") from exc
    columns = [c for c in PRICE_COLUMNS if c in table.columns]
    if "Close" not in columns or "Adj Close" not in columns:
        raise ProjectFileError("The project file is damaged: prices.csv lacks Close or Adj Close.")
    if not all(pd.api.types.is_numeric_dtype(table[c]) for c in columns):
        raise ProjectFileError("The project file is damaged: prices.csv holds prices that are not numbers.")
    frames = []
    for index, entry in enumerate(tickers):
        where = f"data.tickers[{index}]"
        ticker = require(entry, "ticker", str, where)
        rows = table[table["Ticker"] == ticker].set_index("Date")[columns].astype("float64")
        if rows.empty:
            raise ProjectFileError(f"The project file is damaged: prices.csv has no rows for {ticker}.")
        if not (rows.index.is_monotonic_increasing and rows.index.is_unique):
            raise ProjectFileError(f"The project file is damaged: the dates of {ticker} are not in order.")
        repairs = require(entry, "repairs", list, where)
        frames.append(
            PriceFrame(
                ticker,
                rows,
                require(entry, "source", str, where),
                require(entry, "origin", str, where),
                [str(r) for r in repairs],
                require(entry, "request", dict, where),
            )
        )
    return frames


def _config_from_dict(settings: dict) -> RunConfig:
    data = require(settings, "data", dict, "settings")
    if isinstance(data.get("tickers"), list) and not all(isinstance(t, str) for t in data["tickers"]):
        raise ProjectFileError("The project file is damaged: settings.data.tickers should be text.")
    config = RunConfig(
        dataclass_from_dict(DataRequest, data, "settings.data"),
        dataclass_from_dict(DatasetSpec, require(settings, "dataset", dict, "settings"), "settings.dataset"),
        dataclass_from_dict(ModelSpec, require(settings, "model", dict, "settings"), "settings.model"),
        dataclass_from_dict(TrainSpec, require(settings, "train", dict, "settings"), "settings.train"),
        require(settings, "forecast_days", int, "settings"),
    )
    try:
        config.validate()
    except Exception as exc:
        raise ProjectFileError(f"The project file holds settings that cannot be used: {exc}") from exc
    return config


def _check_results(results: dict) -> None:
    for key, kind in (
        ("history", list),
        ("metrics", dict),
        ("predictions", dict),
        ("forecast", list),
        ("split", dict),
        ("stopped", str),
    ):
        require(results, key, kind, "results")
    for index, row in enumerate(results["history"]):
        for key in ("epoch", "train_loss", "val_loss"):
            require(row, key, (int, float), f"results.history[{index}]")
    for index, row in enumerate(results["forecast"]):
        for key in ("value", "lower", "upper"):
            require(row, key, (int, float), f"results.forecast[{index}]")
        require(row, "date", str, f"results.forecast[{index}]")


def _load_weights(data: bytes) -> dict:
    from safetensors import SafetensorError
    from safetensors.torch import load

    try:
        weights = load(data)  # parses a JSON header and raw tensors: it cannot run code
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise ProjectFileError(
            f"The project file is refused: model.safetensors is not a valid safetensors file ({exc})."
        ) from exc
    if not all(np.dtype(str(t.dtype).replace("torch.", "")) == np.float32 for t in weights.values()):
        raise ProjectFileError("The project file is refused: model weights must be float32.")
    return weights


def project_from_parts(meta: dict, prices: bytes, weights: bytes | None) -> Project:
    meta = migrate(meta)
    config = _config_from_dict(require(meta, "settings", dict, "project.json"))
    data = require(meta, "data", dict, "project.json")
    frames = _read_prices(prices, require(data, "tickers", list, "data"))
    results = meta.get("results")
    if results is not None:
        if not isinstance(results, dict):
            raise ProjectFileError("The project file is damaged: results should be an object.")
        _check_results(results)
        if weights is None:
            raise ProjectFileError("The project file is damaged: it has results but no model.safetensors.")
    project = Project(
        config,
        frames,
        _load_weights(weights) if weights is not None else None,
        results,
        str(meta.get("notes", "")),
        str(meta.get("created", _now())),
        str(meta.get("modified", _now())),
        {"app": meta.get("app"), "libraries": meta.get("libraries")},
    )
    if project.weights is not None:
        project.model()  # refuse now, not later, weights that do not fit the settings
    return project


def load_project(path: str | Path) -> Project:
    """Open a .lstmproj file; raises ProjectFileError with a message naming what is wrong."""
    return project_from_parts(*project_file.unpack(path))


def save_project(project: Project, path: str | Path) -> Path:
    """Save atomically (the previous file survives any failure); returns the path written."""
    return project_file.write(path, project.to_bytes())
