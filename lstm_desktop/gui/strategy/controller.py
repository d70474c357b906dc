"""The Strategy tab's work: recompute the check from the current run's stored predictions whenever the run or a
setting changes, and keep the settings in the project. No retraining, and no thread: it is numpy over at most a
few thousand days (25-45 ms for a 490-day test split, 80 ms for 3000 days, measured: docs/strategy.md). So it is
computed only while the tab is shown: a new current run with the tab hidden is checked when the tab is opened, and
one that lands from a task while it is shown is checked on a turn of its own (gui/steps.py)."""

from __future__ import annotations

from lstm_desktop.core.errors import LstmDesktopError
from lstm_desktop.core.state import AppState, Change
from lstm_desktop.core.strategy.result import StrategyReport, strategy_of_run

from ..steps import Steps
from .view import StrategyView


class StrategyController:
    """Gets the app state and its own view; reads nothing from other panels."""

    def __init__(self, state: AppState, view: StrategyView, steps: Steps | None = None) -> None:
        self.state = state
        self.view = view
        self.steps = steps
        self.shown: StrategyReport | None = None  # what the view shows (tests read it)
        self.stale = False  # the current run changed while the tab was hidden: check it when the tab opens
        view.panel.changed.connect(self._on_settings_edited)
        view.becameVisible.connect(self._on_view_shown)
        state.subscribe(self._on_change)
        self.refresh()

    def _on_change(self, change: Change) -> None:
        """A new current run, or another project (adopt and new tell CURRENT too)."""
        if change is not Change.CURRENT:
            return
        self.stale = True  # until refreshed: now, on a later turn while a result lands, or when the tab opens
        if self.steps is None:
            self.refresh()
        elif self.view.isVisible():
            self.steps.soon(("strategy",), self._on_view_shown)

    def _on_view_shown(self) -> None:
        if self.stale:
            self.refresh()

    def _on_settings_edited(self) -> None:
        self.state.set_strategy(self.view.panel.spec())
        self.recompute()

    def refresh(self) -> None:
        """Show the project's saved settings and the check of the current run."""
        if self.view.panel.spec() != self.state.project.strategy:
            self.view.panel.set_spec(self.state.project.strategy)
        self.recompute()

    def recompute(self) -> None:
        """The check under the project's settings (what is saved is what is shown)."""
        self.stale = False
        run = self.state.current
        if run is None:
            self.shown = None
            self.view.clear(
                "No run yet: train a model (or backtest it), then see what its forecasts would have earned."
            )
            return
        try:
            self.shown = strategy_of_run(run.report, run.data.frames, self.state.project.strategy)
        except LstmDesktopError as exc:
            self.shown = None
            self.view.clear(str(exc))
            return
        self.view.show_strategy(self.shown)
