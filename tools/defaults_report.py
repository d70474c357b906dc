"""Which default network shape is the cheapest that is not measurably worse? Walk-forward backtests of each
candidate setting on the public series, every fold scored against the reference setting on the same test days.

A setting is a window (days of history), a batch size and a hidden size; everything else stays at the app's
defaults (2 layers, log-return target, early stopping, seed 42). Each series gets the default backtest (8 folds of
21 trading days at the end of its data, a fresh model per fold, 1 torch thread in each of `--workers` processes);
every candidate's folds test the same days as the reference's, so they are compared fold by fold:

- skill: each fold's skill against "tomorrow = today"; the candidate's mean difference from the reference over all
  folds of all series, with the standard error of that mean (the spread over folds). "Measurably worse" means the
  difference is below zero by more than two standard errors.
- band: each fold's mean interval score of the model's 90 % band over its origins (log prices, lower is better),
  the same comparison (worse: above by more than two standard errors); pooled coverage beside it.
- cost: epochs trained and seconds of training summed over folds (the machine and its load are printed).

    python tools/defaults_report.py --out /tmp/defaults                    # every setting, every series
    python tools/defaults_report.py --out /tmp/defaults --settings w20-b256-h32 --series AAPL IBM
    python tools/defaults_report.py --out /tmp/defaults --summary          # the table of what was measured

A report, not a test: it trains 8 models per series and setting. Results are written per setting as JSON in --out,
so a long measurement can be resumed (settings already measured for a series are skipped) and summarised later.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from band_series import names, request

REFERENCE = "w100-b64-h50"
GRID = [f"w{w}-b{b}-h{h}" for w in (20, 50, 100) for b in (64, 256) for h in (32, 50)]
CHAIN = "lstm_desktop.core.backtest.work:run_chain"


def parse(name: str) -> tuple[int, int, int]:
    """(window, batch, hidden) of a setting's name, e.g. w20-b256-h32."""
    w, b, h = name.split("-")
    return int(w[1:]), int(b[1:]), int(h[1:])


def config_of(name: str, series: str, epochs: int | None = None):  # -> RunConfig
    from lstm_desktop.core.specs import RunConfig

    window, batch, hidden = parse(name)
    base = RunConfig(data=request(series))
    return dataclasses.replace(
        base,
        dataset=dataclasses.replace(base.dataset, window=window),
        model=dataclasses.replace(base.model, hidden=hidden),
        train=dataclasses.replace(base.train, batch_size=batch, epochs=epochs or base.train.epochs),
    )


def measure(setting: str, series: list[str], workers: int, out: Path, epochs: int | None = None) -> None:
    """Backtest `setting` on every series not yet measured for it; append each series' folds to its JSON."""
    from lstm_desktop.core.backtest.plan import chains, plan
    from lstm_desktop.core.backtest.runner import MAX_FOLD_STEPS, aligned
    from lstm_desktop.core.data.sources import load_prices
    from lstm_desktop.core.executors.local import LocalExecutor
    from lstm_desktop.core.specs import BacktestSpec

    path = out / f"{setting}.json"
    done = json.loads(path.read_text()) if path.exists() else {"setting": setting, "series": {}}
    todo = [s for s in series if s not in done["series"]]
    if not todo:
        return
    spec = BacktestSpec()
    items, owners = [], []
    for name in todo:
        config = config_of(setting, name, epochs)
        frames = tuple(load_prices(config.data))
        dates, _ = aligned(frames, config)
        fold_config = dataclasses.replace(config, forecast_days=min(spec.fold_days, MAX_FOLD_STEPS))
        for group in chains(plan(len(dates), spec, config.dataset), spec.warm_start):
            payload = {"config": fold_config, "frames": frames, "folds": group, "warm_start": False}
            items.append((CHAIN, payload))
            owners.append(name)
    results: dict[str, list] = {name: [] for name in todo}
    errors: list[str] = []

    def on_outcome(outcome) -> None:
        if outcome.ok:
            results[owners[outcome.index]].extend(outcome.result["folds"])
        else:
            errors.append(f"{owners[outcome.index]}: {outcome.error!r}")

    started = time.perf_counter()
    LocalExecutor(workers, 1).run(items, on_outcome)
    seconds = time.perf_counter() - started
    for name in todo:
        folds = sorted(results[name], key=lambda f: f["fold"])
        done["series"][name] = {"folds": [summarise_fold(f) for f in folds], "wall_seconds": seconds}
    done["errors"] = done.get("errors", []) + errors
    path.write_text(json.dumps(done, indent=1))
    print(f"{setting}: {', '.join(todo)} in {seconds:.0f} s ({len(items)} folds, {workers} workers)", flush=True)


def summarise_fold(fold: dict) -> dict:
    """What the summary needs of a fold: skill, cost, and the band's per-origin interval scores and coverage."""
    cover, walk = fold["coverage"], fold["baseline_coverage"]
    return {
        "fold": fold["fold"],
        "test": fold["test"],
        "epochs": fold["epochs"],
        "seconds": fold["seconds"],
        "skill": fold["metrics"]["skill"],
        "model_rmse": fold["metrics"]["model"]["rmse"],
        "flat_rmse": fold["metrics"]["persistence"]["rmse"],
        "winkler": float(np.mean(cover["detail"]["winkler"])),
        "walk_winkler": float(np.mean(walk["detail"]["winkler"])),
        "inside": float(np.sum(cover["detail"]["inside"])),
        "known": float(np.sum(cover["detail"]["known"])),
        "winkler_by_step": cover["winkler"],
        "step_known": cover["known"],
    }


def load(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(out.glob("w*-b*-h*.json"))}


def paired(ref: dict, other: dict, key: str) -> tuple[float, float, int]:
    """Mean and standard error of other - reference over the folds both measured (same series, same test days)."""
    diffs = []
    for name, data in other["series"].items():
        if name not in ref["series"]:
            continue
        base = {tuple(f["test"]): f for f in ref["series"][name]["folds"]}
        for fold in data["folds"]:
            match = base.get(tuple(fold["test"]))
            if match is not None and math.isfinite(fold[key]) and math.isfinite(match[key]):
                diffs.append(fold[key] - match[key])
    if len(diffs) < 2:
        return math.nan, math.nan, len(diffs)
    values = np.asarray(diffs)
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values))), len(values)


def totals(data: dict, only: set[str] | None = None) -> dict:
    folds = [f for name, s in data["series"].items() if only is None or name in only for f in s["folds"]]
    inside, known = sum(f["inside"] for f in folds), sum(f["known"] for f in folds)
    return {
        "series": len([n for n in data["series"] if only is None or n in only]),
        "folds": len(folds),
        "skill": float(np.mean([f["skill"] for f in folds])) if folds else math.nan,
        "winkler": float(np.mean([f["winkler"] for f in folds])) if folds else math.nan,
        "walk_winkler": float(np.mean([f["walk_winkler"] for f in folds])) if folds else math.nan,
        "coverage": inside / known if known else math.nan,
        "epochs": sum(f["epochs"] for f in folds),
        "seconds": sum(f["seconds"] for f in folds),
    }


def summary(out: Path) -> dict:
    measured = load(out)
    if REFERENCE not in measured:
        raise SystemExit(f"the reference {REFERENCE} has not been measured in {out}")
    ref = measured[REFERENCE]
    common = set(ref["series"])
    for data in measured.values():
        common &= set(data["series"])
    rows = []
    for name, data in measured.items():
        window, batch, hidden = parse(name)
        skill = paired(ref, data, "skill")
        band = paired(ref, data, "winkler")
        row = {"setting": name, "window": window, "batch": batch, "hidden": hidden, **totals(data, common)}
        row.update({"skill_diff": skill[0], "skill_se": skill[1], "winkler_diff": band[0], "winkler_se": band[1],
                    "paired_folds": skill[2]})  # fmt: skip
        row["worse"] = bool(name != REFERENCE and (skill[0] < -2 * skill[1] or band[0] > 2 * band[1]))
        rows.append(row)
    ref_seconds = next(r["seconds"] for r in rows if r["setting"] == REFERENCE)
    for row in rows:
        row["cost"] = row["seconds"] / ref_seconds if ref_seconds else math.nan
    rows.sort(key=lambda r: r["seconds"])
    cheapest = next((r["setting"] for r in rows if not r["worse"]), REFERENCE)
    return {"series": sorted(common), "rows": rows, "cheapest_not_worse": cheapest}


def print_summary(result: dict) -> None:
    print(f"series ({len(result['series'])}): {' '.join(result['series'])}")
    print("setting         folds   skill  Δskill ± SE        IS90   ΔIS ± SE          RW IS  cover  epochs  "
          "train s   cost  worse")  # fmt: skip
    for r in result["rows"]:
        print(
            f"{r['setting']:14} {r['folds']:5} {r['skill']:+7.4f} {r['skill_diff']:+7.4f} ± {r['skill_se']:.4f}  "
            f"{r['winkler']:7.4f} {r['winkler_diff']:+7.4f} ± {r['winkler_se']:.4f}  {r['walk_winkler']:7.4f} "
            f"{r['coverage']:6.1%} {r['epochs']:7} {r['seconds']:8.0f} {r['cost']:6.2f}  "
            f"{'yes' if r['worse'] else 'no'}"
        )
    print(f"cheapest setting not measurably worse than {REFERENCE}: {result['cheapest_not_worse']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    loadable = [n for n in names() if request(n)]
    parser.add_argument("--series", nargs="+", default=loadable, choices=loadable)
    parser.add_argument("--settings", nargs="+", default=GRID, help="names like w20-b256-h32 (default: the grid)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, required=True, help="folder of the per-setting JSON results")
    parser.add_argument("--epochs", type=int, default=None, help="cap the epochs (a quick check of the tool only)")
    parser.add_argument("--summary", action="store_true", help="print the table of what --out holds")
    parser.add_argument("--json", action="store_true", help="with --summary: one JSON document")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.summary:
        result = summary(args.out)
        print(json.dumps(result, indent=1)) if args.json else print_summary(result)
        return 0
    from lstm_desktop.core.runtime import pin_blas_threads

    pin_blas_threads()  # as the app's entry points (the workers it spawns inherit it)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; load {os.getloadavg()}")
    order = [REFERENCE] + [s for s in args.settings if s != REFERENCE]
    for setting in order:
        measure(setting, args.series, args.workers, args.out, args.epochs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
