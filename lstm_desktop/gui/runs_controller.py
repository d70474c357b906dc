"""The Runs tab's work: show a run, rename, star, delete (asking first) and compare 2-5 runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from lstm_desktop.core.state import Change
from lstm_desktop.core.store.project import StoredRun

if TYPE_CHECKING:
    from .main_window import MainWindow


class RunsController:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.state = window.state
        self.compared: list[str] = []  # ids of the runs overlaid, while a compare is shown
        table = window.runs_table
        table.chosen.connect(self.choose)
        table.renamed.connect(self.state.rename_run)
        table.starred.connect(self.state.star_run)
        table.deleteRequested.connect(self.delete)
        table.compareRequested.connect(self.compare)
        self.state.subscribe(self._on_change)

    def _on_change(self, change: Change) -> None:
        """A new current run (trained, opened, chosen) ends a compare."""
        if change is Change.CURRENT:
            self.compared = []

    def choose(self, run_id: str) -> None:
        if self.window.tasks.busy():
            return
        self.compared = []
        self.state.choose_run(run_id)

    def delete(self, run_ids: list[str]) -> None:
        names = [self.state.project.find(run_id).name for run_id in run_ids]
        buttons = QMessageBox.StandardButton
        listed = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        answer = self.window.ask(
            "Delete runs?",
            f"Delete {listed}? Their models and scores leave the project when you save it.",
            buttons.Yes | buttons.No,
            buttons.No,
        )
        if answer != buttons.Yes:
            return
        self.compared = [c for c in self.compared if c not in run_ids]
        for run_id in run_ids:
            self.state.delete_run(run_id)

    def compare(self, run_ids: list[str]) -> None:
        """Overlay the chosen runs (one target: prices of different tickers do not share an axis)."""
        runs = [self.state.project.find(run_id) for run_id in run_ids]
        good = [run for run in runs if isinstance(run, StoredRun)]
        targets = {(run.report.data.ticker, run.report.data.price_column) for run in good}
        if len(good) < 2:
            self.window.tell("Nothing to compare", "Choose 2 to 5 runs that can be read.")
            return
        if len(targets) > 1:
            listed = ", ".join(f"{ticker} {column}" for ticker, column in sorted(targets))
            self.window.tell(
                "Different targets", f"These runs predict different prices ({listed}): compare runs of one."
            )
            return
        self.compared = [run.id for run in good]
        self.window.view.show_current()
        self.window.view.show_runs()

    def compared_runs(self) -> list[StoredRun]:
        runs = [r for r in self.state.project.good_runs if r.id in self.compared]
        return runs if len(runs) >= 2 else []
