"""Sweeps: the same settings over many tickers, each a run (and, when asked, a walk-forward backtest) in a worker;
prices loaded once in the parent, failures kept as rows with their message."""
