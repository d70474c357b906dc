"""Benchmarks: `python -m lstm_desktop.bench [--json] [--quick]`. Figures are printed, never asserted."""
