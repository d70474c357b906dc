"""The whole HTML page of a run: one file, its styles inline, charts as inline SVG, no script and nothing
fetched, so it opens the same in any browser with no network."""

from __future__ import annotations

from html import escape

from lstm_desktop import __version__

from ..errors import LstmDesktopError
from ..store.project import StoredRun
from ..strategy.result import strategy_of_run
from ..strategy.signals import traded_prices
from ..strategy.spec import StrategySpec
from .sections import backtest_section, prices_section, scores_section, strategy_section, summary_section

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 2em auto;
       max-width: 820px; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05em; } table { border-collapse: collapse; margin: 0.6em 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; } td.n { text-align: right; }
table.facts th { color: #555; font-weight: normal; } .verdict { font-weight: 600; }
.verdict.beats { color: #2d7a2d; } .verdict.loses { color: #b03a36; } .notes { white-space: pre-wrap; }
svg.chart { display: block; margin: 0.8em 0; font: 11px system-ui, sans-serif; fill: #444; max-width: 100%;
            height: auto; } footer { color: #777; font-size: 0.85em; margin-top: 3em; }
"""


def run_report_html(run: StoredRun, spec: StrategySpec, notes: str = "") -> str:
    """The report of one stored run, with the strategy check under `spec` (its problem in words if it cannot
    be made, e.g. a run without out-of-sample predictions)."""
    report, frames = run.report, run.data.frames
    prices = traded_prices(report, frames)
    try:
        strategy, problem = strategy_of_run(report, frames, spec), ""
    except LstmDesktopError as exc:
        strategy, problem = None, str(exc)
    title = f"{report.data.ticker}: {run.name}"
    body = "".join(
        [
            summary_section(run.name, run.id, run.created, report, notes),
            scores_section(report),
            prices_section(report, prices.dates, prices.closes),
            backtest_section(report),
            strategy_section(strategy, problem),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} — lstm-desktop report</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>A report of one run of lstm-desktop: honest scores against "
        "tomorrow = today, the forecast band, the walk-forward backtest and a trading check after costs.</p>"
        f"{body}<footer>Made by lstm-desktop {escape(__version__)}. Past out-of-sample results; no advice."
        "</footer></body></html>\n"
    )
