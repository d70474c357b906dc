"""Each ticker's newest prices in a project: what refresh extends, tracking scores on and update trains on. Light
to import (the window asks for it before pandas is loaded)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..data.prices import PriceFrame
    from ..store.project import Project


def newest_frames(project: Project) -> dict[str, PriceFrame]:
    """Each ticker's newest prices in the project: its refreshed prices, else the loaded ones, else a run's, the one
    reaching the latest day (ties in that order). Tickers in the order the project's runs first name them."""
    order = [project.live, project.loaded, *reversed([r.data for r in project.good_runs])]
    newest: dict[str, PriceFrame] = {}
    for data in order:
        for frame in data.frames if data is not None else ():
            known = newest.get(frame.ticker)
            if known is None or frame.frame.index[-1] > known.frame.index[-1]:
                newest[frame.ticker] = frame
    first_named = [*[r.data for r in project.good_runs], project.loaded, project.live]
    tickers = dict.fromkeys(f.ticker for data in first_named if data is not None for f in data.frames)
    return {ticker: newest[ticker] for ticker in tickers}
