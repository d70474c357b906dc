"""A self-contained HTML report of a run: scores, verdicts, band, backtest, strategy, and the charts as inline
SVG drawn here in pure Python. No script, no network, no new dependency; every user-provided string is
escaped."""
