"""Does the model's band hold its promise on real series, against the random-walk band and against the one-block
band of earlier versions? And is the drawn path ever worse than the flat line?

For each public series (tools/band_series.py) one run with the default settings, as a new user would make it;
its test split is a rolling origin over about 15 % of the series (hundreds of origins, 30 steps each), every band
issued from what was known at its origin. Printed per series and pooled: coverage of the 90 % band in the step
groups 1, 2-5, 6-15, 16-30, in the calm and turbulent halves, the interval score at 5 and 30 days of the model's
band, the random-walk band and the one-block band (calibrated once on validation), and the day-30 RMSE of the
model's path, the drawn path and the flat line. A report, not a test: it trains one model per series.

    python tools/band_report.py                     # every series, defaults
    python tools/band_report.py --series AAPL GSPC --epochs 5 --json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from band_series import names, request

from lstm_desktop.core.assess.band import calibrate
from lstm_desktop.core.assess.paths import origin_errors, recursive_paths, split_origins
from lstm_desktop.core.assess.sequential import interval_scores
from lstm_desktop.core.run import restore, run
from lstm_desktop.core.runtime import pin_blas_threads, tune_allocator
from lstm_desktop.core.specs import RunConfig, TrainSpec

GROUPS = {"1": (0, 1), "2-5": (1, 5), "6-15": (5, 15), "16-30": (15, 30)}
HEADER = (
    "series  orig " + " ".join(f"{g:>6}" for g in GROUPS) + "   calm   turb"
    "    IS 5 RW IS 5 1blk IS5   IS 30 RW IS30 1blkIS30  model30  drawn30   flat30  verdict"
)


def groups(by_step: tuple[float, ...], known: tuple[int, ...]) -> dict[str, float]:
    out = {}
    for name, (a, b) in GROUPS.items():
        rates, counts = np.asarray(by_step[a:b], dtype=float), np.asarray(known[a:b], dtype=float)
        out[name] = float(np.nansum(rates * counts) / counts.sum()) if counts.sum() else math.nan
    return out


def one_block(finished: object) -> dict:
    """The band of earlier versions on the same run: calibrated once on validation, scored on test."""
    report = finished.report
    dataset, model = restore(report, finished.frames, finished.weights)
    steps = len(report.band.coverage["test"].by_step)
    origins, limit = split_origins(dataset, "val")
    errors, known = origin_errors(dataset, recursive_paths(dataset, model, origins, steps), origins, limit)
    band = calibrate(errors, known, 0.9)
    origins, limit = split_origins(dataset, "test")
    errors, known = origin_errors(dataset, recursive_paths(dataset, model, origins, steps), origins, limit)
    low, high = band.offsets(steps)
    score = np.where(known, interval_scores(errors, low[None, :], high[None, :], 0.9), np.nan)
    inside = (errors >= low) & (errors <= high) & known
    return {
        "coverage": float(inside.sum() / known.sum()),
        "winkler5": float(np.nanmean(score[:, min(4, steps - 1)])),
        "winkler30": float(np.nanmean(score[:, steps - 1])),
    }


def measure(name: str, epochs: int | None) -> dict:
    config = RunConfig(data=request(name)) if request(name) else None
    if config is None:
        raise SystemExit(f"{name}: not loadable by the app (only the band_methods tool reads it)")
    if epochs:
        config = dataclasses.replace(config, train=TrainSpec(epochs=epochs))
    started = time.perf_counter()
    finished = run(config)
    report = finished.report
    band = report.band
    cover, walk = band.coverage["test"], band.baseline.coverage["test"]
    steps = report.metrics["test"].multistep
    row = {
        "series": name,
        "origins": cover.origins,
        "epochs": len(report.history),
        "coverage": cover.overall,
        **{f"cov {k}": v for k, v in groups(cover.by_step, cover.known).items()},
        "calm": cover.calm,
        "turbulent": cover.turbulent,
        "walk coverage": walk.overall,
        "winkler5": cover.winkler[min(4, len(cover.winkler) - 1)],
        "winkler30": cover.winkler[-1],
        "walk winkler5": walk.winkler[min(4, len(walk.winkler) - 1)],
        "walk winkler30": walk.winkler[-1],
        "verdict": band.verdict.kind,
        "verdict p": band.verdict.p_value,
        "model rmse30": steps.model_rmse[-1],
        "blend rmse30": steps.blend_rmse[-1],
        "flat rmse30": steps.flat_rmse[-1],
        "by level": cover.by_level,
        "skill": report.metrics["test"].skill,
    }
    old = one_block(finished)
    row.update({"one-block coverage": old["coverage"], "one-block winkler5": old["winkler5"],
                "one-block winkler30": old["winkler30"], "seconds": time.perf_counter() - started})  # fmt: skip
    return row


def pooled(rows: list[dict]) -> dict:
    weights = np.array([r["origins"] for r in rows], dtype=float)
    out: dict = {"series": "pooled", "origins": int(weights.sum())}
    for key, value in rows[0].items():
        if isinstance(value, float) and key not in ("verdict p", "seconds"):
            out[key] = float(np.average([r[key] for r in rows], weights=weights))
    out["blend <= flat"] = sum(r["blend rmse30"] <= r["flat rmse30"] for r in rows)
    return out


def line(row: dict) -> str:
    cells = [f"{row['series']:7}", f"{row['origins']:>5}"]
    cells += [f"{row[f'cov {g}']:>6.1%}" for g in GROUPS]
    cells += [f"{row['calm']:>6.1%}", f"{row['turbulent']:>6.1%}"]
    cells += [f"{row[k]:>7.4f}" for k in ("winkler5", "walk winkler5", "one-block winkler5")]
    cells += [f"{row[k]:>7.4f}" for k in ("winkler30", "walk winkler30", "one-block winkler30")]
    cells += [f"{row[k]:>8.3f}" for k in ("model rmse30", "blend rmse30", "flat rmse30")]
    cells += [f"{row.get('verdict', ''):>8}"]
    return " ".join(cells)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    loadable = [n for n in names() if request(n)]
    parser.add_argument("--series", nargs="+", default=loadable, choices=loadable)
    parser.add_argument("--epochs", type=int, default=None, help="cap the epochs (default: the app's defaults)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--combine", nargs="+", metavar="JSON", help="print the table of earlier --json outputs")
    args = parser.parse_args()
    if args.combine:
        return combine(args.combine)
    tune_allocator()
    pin_blas_threads()
    if not args.json:
        print(HEADER, flush=True)
    rows = []
    for name in args.series:
        rows.append(measure(name, args.epochs))
        if not args.json:
            print(line(rows[-1]), flush=True)
    if args.json:
        print(json.dumps({"series": rows, "pooled": pooled(rows)}, indent=2))
    else:
        print_pooled(rows)
    return 0


def combine(paths: list[str]) -> int:
    """The table and the pooled row of several --json outputs (series measured in separate processes)."""
    rows = [row for path in paths for row in json.loads(Path(path).read_text())["series"]]
    print(HEADER)
    for row in rows:
        print(line(row))
    print_pooled(rows)
    return 0


def print_pooled(rows: list[dict]) -> None:
    """The pooled row under the table, and what it says of the drawn path and the fan."""
    total = pooled(rows)
    print(line({**total, "verdict": ""}))
    print(f"drawn path's day-30 RMSE <= flat's on {total['blend <= flat']} of {len(rows)} series")
    print(f"coverage by level (pooled over series): {json.dumps(pool_levels(rows))}")


def pool_levels(rows: list[dict]) -> dict:
    weights = np.array([r["origins"] for r in rows], dtype=float)
    return {k: round(float(np.average([r["by level"][k] for r in rows], weights=weights)), 4)
            for k in rows[0]["by level"]}  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
