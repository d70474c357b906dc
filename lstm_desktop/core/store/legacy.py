"""Schema 3 (and older, once migrated to 3) to schema 4: the file's one run becomes the first of a project's runs.

A schema-3 file held one run document ("results"), prices.csv and model.safetensors. Here the document becomes
a typed report's JSON, the prices a data set, the weights the run's entry. What the old format never stored is
derived from what it did (the band's quantiles from the stored validation predictions, exactly as the old code
computed them) or marked as not recorded (threads 0). Plain dicts and lists in, plain JSON out.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from ..report import FUTURE_INPUTS

OLD_BAND_METHOD = "validation one-step log-error quantiles, widened by sqrt(step)"


def content_id(prefix: str, data: bytes) -> str:
    """A short stable id for an entry's bytes."""
    return prefix + hashlib.sha256(data).hexdigest()[:16]


def single_run_to_runs(meta: dict, entries: dict[str, bytes]) -> tuple[dict, dict[str, bytes]]:
    prices = entries.get("prices.csv")
    if prices is None:
        raise KeyError("prices.csv")
    dataset = meta["settings"]["dataset"]
    if dataset.get("target_mode", "price") == "price":  # the price level, scaled on the training rows
        dataset["target_mode"] = "price_level"
    data_id = content_id("d", prices)
    new_entries = {f"prices/{data_id}.csv": prices}
    runs = []
    results = meta.get("results")
    if results is not None:
        weights = entries.get("model.safetensors")
        if weights is None:
            raise KeyError("model.safetensors (the file has results but no weights)")
        run_id = content_id("r", weights)
        new_entries[f"weights/{run_id}.safetensors"] = weights
        report = report_from_document(results, meta["settings"], meta.get("libraries") or {})
        runs.append(
            {
                "id": run_id,
                "name": "run 1",
                "starred": False,
                "created": meta.get("created", ""),
                "data": data_id,
                "report": report,
            }
        )
    upgraded = {
        "schema_version": meta["schema_version"],
        "app": meta.get("app"),
        "libraries": meta.get("libraries"),
        "created": meta.get("created"),
        "modified": meta.get("modified"),
        "notes": meta.get("notes", ""),
        "settings": meta["settings"],
        "data": {data_id: {"tickers": meta["data"]["tickers"]}},
        "loaded": data_id,
        "runs": runs,
        "current_run": runs[0]["id"] if runs else None,
    }
    return upgraded, new_entries


def _input(name: str, target: str) -> dict:
    if ":" in name:
        ticker, column = name.split(":", 1)
        return {"ticker": ticker, "column": column, "own": False}
    return {"ticker": target, "column": name, "own": True}


def _label(item: dict) -> str:
    return item["column"] if item["own"] else f"{item['ticker']} {item['column']}"


def _scaler(kind: str, names: list[str], params: dict) -> dict:
    keys = ("min", "range") if kind == "minmax" else ("mean", "std")
    values = list(params.values())
    return {
        "kind": kind,
        "names": names,
        "offset": [v[keys[0]] for v in values],
        "scale": [v[keys[1]] for v in values],
    }


def _columns(rows: list[dict], keys: tuple[str, ...]) -> dict:
    return {key: [row[key] for row in rows] for key in keys}


def _band(validation: list[dict]) -> dict:
    actual = np.array([r["actual"] for r in validation], dtype=np.float64)
    predicted = np.array([r["predicted"] for r in validation], dtype=np.float64)
    errors = np.log(actual / predicted)
    low = min(float(np.quantile(errors, 0.05)), 0.0)
    high = max(float(np.quantile(errors, 0.95)), 0.0)
    return {
        "level": 0.9,
        "method": OLD_BAND_METHOD,
        "calibrated_on": "val",
        "lower": [low],
        "upper": [high],
        "coverage": {},  # never measured then
    }


def _scores(entry: dict, who: str) -> dict:
    scores = dict(entry[who])
    if who == "persistence":
        scores["directional_accuracy"] = None  # it predicts no move: the old files' figure was meaningless
    return scores


def _split_scores(entry: dict) -> dict:
    from ..assess.verdict import skill_verdict
    from ..codec import to_json

    skill = entry.get("skill")
    verdict = to_json(skill_verdict(skill if isinstance(skill, int | float) else math.nan))
    return {
        "model": _scores(entry, "model"),
        "persistence": _scores(entry, "persistence"),
        "drift": _scores(entry, "drift"),
        "skill": skill,
        "verdict": verdict,
    }


def report_from_document(results: dict, settings: dict, libraries: dict) -> dict:
    """The JSON of a RunReport from a schema-3 run document."""
    data = results["data"]
    target = data["ticker"]
    names = results.get("feature_names") or list(results["scaler"]["params"])
    inputs = [_input(name, target) for name in names]
    scaler = results["scaler"]
    history = [
        {"epoch": r["epoch"], "train_loss": r["train_loss"], "val_loss": r["val_loss"], "seconds": r.get("seconds", 0)}
        for r in results["history"]
    ]
    predictions = {
        split: _columns(rows, ("date", "actual", "predicted")) for split, rows in results["predictions"].items()
    }
    for series in predictions.values():
        series["dates"] = series.pop("date")
    forecast = _columns(results["forecast"], ("date", "value", "lower", "upper"))
    forecast["dates"] = forecast.pop("date")
    return {
        "settings": settings,
        "data": {**data, "repairs": data.get("repairs", {}), "notes": data.get("notes", [])},
        "split": results["split"],
        "windows": results.get("windows") or {k: len(v) for k, v in results["predictions"].items()},
        "inputs": inputs,
        "feature_scaler": _scaler(scaler["kind"], [_label(i) for i in inputs], scaler["params"]),
        "target_scaler": _scaler(scaler["kind"], ["target"], scaler["target"]["params"]),
        "history": history,
        "best_epoch": results.get("best_epoch"),
        "stopped": results["stopped"],
        "device": results.get("device", "cpu"),
        "threads": 0,  # not recorded before schema 4
        "seconds": float(sum(r["seconds"] for r in history)),
        "metrics": {split: _split_scores(entry) for split, entry in results["metrics"].items()},
        "predictions": predictions,
        "forecast": forecast,
        "band": _band(results["predictions"]["val"]),
        "future_inputs": FUTURE_INPUTS,
        "versions": {k: str(v) for k, v in libraries.items()},
    }
