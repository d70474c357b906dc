"""python -m lstm_desktop.bench [--json] [--quick] [--kernel] [--assess]: measure and print; nothing here asserts a
target."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m lstm_desktop.bench", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    parser.add_argument("--quick", action="store_true", help="fewer epochs and no scaling rows (a smoke run)")
    parser.add_argument("--epochs", type=int, default=0, help="epochs per training measurement (default 7)")
    parser.add_argument(
        "--kernel",
        action="store_true",
        help="only the kernel rows: each cell on torch's kernel and the app's own, native and emulated AVX2",
    )
    parser.add_argument(
        "--assess",
        action="store_true",
        help="only the assessment rows: a reference run's, a default run's and a backtest fold's assessment, before "
        "and after it was made faster, and the time to a result",
    )
    parser.add_argument(
        "--gui-jobs",
        action="store_true",
        help="only the window's rows: each kind of job end to end while a 10 ms timer measures the GUI thread",
    )
    args = parser.parse_args()
    if args.gui_jobs:
        return gui_jobs_only(args.json)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    epochs = args.epochs or (3 if args.quick else 7)
    started = time.perf_counter()
    if args.kernel:
        return kernel_only(args.epochs or 4, args.json, started)
    if args.assess:
        return assess_only(args.epochs or (3 if args.quick else 0), 1 if args.quick else 3, args.json, started)
    from lstm_desktop.bench import gui, training
    from lstm_desktop.core.runtime import default_threads

    threads = default_threads()
    document: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    }
    document.update(training.training_figures(epochs, threads, rounds=2 if args.quick else 3))
    document["window_shown_seconds"] = gui.window_shown_seconds()
    from lstm_desktop.bench.data_import import csv_import_seconds

    document["csv_import_seconds"] = csv_import_seconds()
    window = gui.run_gui_figures(epochs, tuple(sorted({1, threads})), threads, pairs=2 if args.quick else 6)
    chosen = window["by_threads"][str(threads)]
    versus = window["window_vs_headless"]
    document["gui_event_loop_ms"] = chosen["gui_event_loop_ms"]
    document["gui_train_seconds_per_epoch"] = versus["window"]
    document["headless_train_seconds_per_epoch"] = versus["headless"]
    # each pair ran back to back, so the median of the pairs' ratios is the least disturbed by drift
    document["gui_slowdown_vs_headless"] = float(np.median(versus["pair_ratios"])) - 1
    document["window_vs_headless_runs"] = versus
    document["gui_by_threads"] = window["by_threads"]
    document["project_reopen_seconds"] = window["project_reopen_seconds"]
    document["forecast_seconds"] = window["forecast_seconds"]
    from lstm_desktop.bench.gui_jobs import run_job_figures

    document["gui_jobs"] = run_job_figures()
    document["peak_rss_mb"] = gui.peak_rss_mb()
    document["bfloat16"] = training.bfloat16_figures(epochs, threads)
    document["busy_neighbour_seconds_per_epoch"] = training.busy_neighbour_figures(max(3, epochs // 2), threads)
    from lstm_desktop.bench import backtests, many, saving

    document["backtest"] = backtests.backtest_figures(
        epochs=epochs if args.quick else None, folds=2 if args.quick else 8
    )
    document["save"] = saving.save_figures(10 if args.quick else 100)
    document["many"] = many.many_figures(rounds=1 if args.quick else 3)
    from lstm_desktop.bench.comparisons import comparison_figures

    document["comparisons"] = comparison_figures(rounds=1 if args.quick else 2, epochs=2 if args.quick else 8,
                                                 folds=2 if args.quick else 4)  # fmt: skip
    from lstm_desktop.bench.cells import cell_figures

    document["cells"] = cell_figures(epochs, threads)
    from lstm_desktop.bench.living import update_figures

    document["update"] = update_figures(rounds=1 if args.quick else 3, epochs=5 * epochs)
    if not args.quick:
        from lstm_desktop.bench.kernel import kernel_figures

        document["kernel"] = kernel_figures(max(3, epochs // 2), threads)
        document["scaling"] = training.scaling_rows(max(2, epochs // 2), threads)
        from lstm_desktop.bench.assessing import assess_figures

        document["assessment"] = assess_figures(threads)
    document["bench_seconds"] = time.perf_counter() - started
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        print(table(document))
    return 0


def kernel_only(epochs: int, as_json: bool, started: float) -> int:
    """The kernel rows alone (`--kernel`)."""
    from lstm_desktop.bench.kernel import kernel_figures, kernel_lines
    from lstm_desktop.core.runtime import default_threads

    figures = kernel_figures(epochs, default_threads())
    figures["bench_seconds"] = time.perf_counter() - started
    figures["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    print(json.dumps(figures, indent=2) if as_json else "\n".join(kernel_lines(figures)))
    return 0


def assess_only(epochs: int, rounds: int, as_json: bool, started: float) -> int:
    """The assessment rows alone (`--assess`); epochs 0: each case trains to early stopping."""
    from lstm_desktop.bench.assessing import assess_figures, assess_lines
    from lstm_desktop.core.runtime import default_threads, pin_blas_threads, tune_allocator

    tune_allocator()
    pin_blas_threads()
    figures = assess_figures(default_threads(), rounds, epochs or None)
    figures["bench_seconds"] = time.perf_counter() - started
    figures["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    figures["load_average"] = os.getloadavg()
    print(json.dumps(figures, indent=2) if as_json else "\n".join(assess_lines(figures)))
    return 0


def gui_jobs_only(as_json: bool) -> int:
    """`--gui-jobs`: the machine, its load, and the window's figures per kind of job."""
    from lstm_desktop.bench.gui_jobs import job_lines, run_job_figures

    started = time.perf_counter()
    document = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "load_before": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "gui_jobs": run_job_figures(),
    }
    document["load_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    document["bench_seconds"] = time.perf_counter() - started
    if as_json:
        print(json.dumps(document, indent=2))
    else:
        load = document["load_before"]
        print(f"machine: {os.cpu_count()} CPUs, load {load[0]:.2f} at the start" if load else "")
        print("\n".join(job_lines(document["gui_jobs"])))
        print(f"(benchmark took {document['bench_seconds']:.0f} s)")
    return 0


def table(doc: dict) -> str:
    t = doc["train_seconds_per_epoch"]
    late = doc["gui_event_loop_ms"]
    speedup = doc["speedup_vs_dataloader"]
    lines = [
        f"machine: {doc['machine']['cpus']} CPUs, Python {doc['machine']['python']}, {doc['threads']} torch threads",
        "reference setup (2×LSTM(50), window 100, batch 64, "
        f"{doc['train_windows']} training windows), median s/epoch after warm-up:",
        f"  app                      {t['app']:.3f}",
        f"  DataLoader reference     {t['dataloader_reference']:.3f}   (app is {speedup:.2f}× faster)",
        "  app by threads           "
        + ", ".join(f"{k}: {v:.3f}" for k, v in doc["app_seconds_per_epoch_by_threads"].items()),
        f"  FLOPs per epoch          {doc['flops_per_epoch'] / 1e9:.1f} G; matmul {doc['matmul_gflops']:.0f} GFLOP/s "
        f"-> bound {doc['bound_seconds_per_epoch']:.3f} s, bound ratio {doc['bound_ratio']:.2f}",
        f"  LSTM kernel alone        {doc['lstm_kernel_seconds_per_epoch']:.3f}   "
        f"({doc['lstm_kernel_gflops']:.0f} GFLOP/s; {doc['kernel_share_of_app']:.0%} of the app's epoch)",
        f"window shown               {doc['window_shown_seconds']:.2f} s from process start",
        f"13-year CSV read           {doc['csv_import_seconds']:.2f} s in a fresh process (reader import included)",
        f"GUI while training         timer lateness p50 {late['p50']:.1f} ms, p99 {late['p99']:.1f} ms, "
        f"max {late['max']:.1f} ms",
        f"  training in the window   {doc['gui_train_seconds_per_epoch']:.3f} s/epoch, headless "
        f"{doc['headless_train_seconds_per_epoch']:.3f} (median of pairs {doc['gui_slowdown_vs_headless']:+.0%}: "
        + ", ".join(f"{r - 1:+.0%}" for r in doc["window_vs_headless_runs"]["pair_ratios"])
        + ")",
    ]
    for threads, row in doc["gui_by_threads"].items():
        lines.append(
            f"  {threads} thread(s) in window {row['gui_train_seconds_per_epoch_with_probe']:.3f} s/epoch with probe, "
            f"lateness p99 {row['gui_event_loop_ms']['p99']:.1f} ms, max {row['gui_event_loop_ms']['max']:.1f} ms"
        )
    lines += [
        f"project reopen and draw    {doc['project_reopen_seconds']:.3f} s",
        f"forecast 30 days with band {doc['forecast_seconds']:.3f} s",
        f"peak RSS of a training run {doc['peak_rss_mb']:.0f} MB",
        bfloat16_line(doc["bfloat16"]),
        "another program busy on one core, s/epoch: "
        + ", ".join(
            f"{name.replace('_', ' ')} {value:.3f}" for name, value in doc["busy_neighbour_seconds_per_epoch"].items()
        ),
    ]
    from lstm_desktop.bench.backtests import backtest_lines
    from lstm_desktop.bench.gui_jobs import job_lines
    from lstm_desktop.bench.many import many_lines
    from lstm_desktop.bench.saving import save_lines

    lines += job_lines(doc["gui_jobs"])
    lines += backtest_lines(doc["backtest"]) + save_lines(doc["save"]) + many_lines(doc["many"])
    from lstm_desktop.bench.comparisons import comparison_lines

    lines += comparison_lines(doc["comparisons"])
    from lstm_desktop.bench.cells import cell_lines

    lines += cell_lines(doc["cells"])
    if "kernel" in doc:
        from lstm_desktop.bench.kernel import kernel_lines

        lines += kernel_lines(doc["kernel"])
    from lstm_desktop.bench.living import update_lines

    lines += update_lines(doc["update"])
    if "scaling" in doc:
        lines.append("scaling (one setting varied from the reference):")
        lines.append(f"  {'vary':9} {'value':>6} {'s/epoch':>9} {'GFLOP':>8}")
        for row in doc["scaling"]:
            lines.append(
                f"  {row['vary']:9} {row['value']:>6} {row['seconds_per_epoch']:9.3f} {row['gflop_per_epoch']:8.1f}"
            )
    if "assessment" in doc:
        from lstm_desktop.bench.assessing import assess_lines

        lines += assess_lines(doc["assessment"])
    lines.append(f"(benchmark took {doc['bench_seconds']:.0f} s)")
    return "\n".join(lines)


def bfloat16_line(figures: dict) -> str:
    if not figures["available"]:
        return f"bfloat16 on this CPU       not available: {figures['reason']}"
    bf16, fp32 = figures["bfloat16"], figures["float32"]
    return (
        f"bfloat16 on this CPU       {bf16['seconds_per_epoch']:.3f} s/epoch ({figures['speedup']:.2f}× float32); "
        f"best validation loss {bf16['best_val_loss']:.2e} against {fp32['best_val_loss']:.2e}"
    )


if __name__ == "__main__":
    sys.exit(main())
