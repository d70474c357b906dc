"""Training speed per recurrent cell on the reference setup: seconds per epoch of the app's loop and the FLOP-bound
ratio (measured time over the time the machine's matmul speed would need for the cell's FLOPs)."""

from __future__ import annotations

from lstm_desktop.core.specs import CELLS

from .training import (
    app_epoch_seconds,
    flops_per_epoch,
    matmul_gflops,
    median_after_warmup,
    reference_dataset,
    reference_model,
)


def cell_figures(epochs: int, threads: int) -> dict:
    """{cell: {seconds_per_epoch, gflop_per_epoch, bound_seconds_per_epoch, bound_ratio}} and the matmul speed."""
    dataset = reference_dataset()
    gflops = matmul_gflops(threads)
    rows = {}
    for cell in CELLS:
        model = reference_model(cell)
        seconds = median_after_warmup(app_epoch_seconds(dataset, model, epochs, threads))
        flops = flops_per_epoch(dataset, model)
        bound = flops / (gflops * 1e9)
        rows[cell] = {"seconds_per_epoch": seconds, "gflop_per_epoch": flops / 1e9,
                      "bound_seconds_per_epoch": bound, "bound_ratio": seconds / bound}  # fmt: skip
    return {"matmul_gflops": gflops, "threads": threads, "by_cell": rows}


def cell_lines(figures: dict) -> list[str]:
    lines = [f"cells on the reference setup (2×50, window 100; matmul {figures['matmul_gflops']:.0f} GFLOP/s):"]
    for cell, row in figures["by_cell"].items():
        lines.append(
            f"  {cell:5} {row['seconds_per_epoch']:.3f} s/epoch, {row['gflop_per_epoch']:.1f} GFLOP, "
            f"bound {row['bound_seconds_per_epoch']:.3f} s, bound ratio {row['bound_ratio']:.2f}"
        )
    return lines
