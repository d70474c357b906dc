"""Shows the app state: the loaded prices, the current run's plots and scores, the panels' settings, the title.
It only reads the state; the controllers change it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lstm_desktop.core.state import AppState, Change
from lstm_desktop.core.store.runs_table import settings_diff, table_rows

from .overlays import show_backtest, show_compare

if TYPE_CHECKING:
    from .main_window import MainWindow

SPREAD = (Change.DATA, Change.CURRENT, Change.RUNS)  # what a landing result draws in steps; settings show at once
CURRENT_PARTS = ("price", "loss", "scores", "forecast", "backtest")


def target_series(frames: tuple, column: str) -> tuple:
    """(dates as datetime64, prices) of the target ticker's `column`."""
    frame = frames[0].frame
    return frame.index.to_numpy(), frame[column].to_numpy(dtype="float64")


def aligned_rows(frames: tuple) -> int:
    """Rows left once the tickers are aligned on the dates they share."""
    index = frames[0].frame.index
    for other in frames[1:]:
        index = index.intersection(other.frame.index)
    return len(index)


def forecast_caption(report: object) -> str:
    """What the forecast table shows, in words."""
    days = report.forecast
    if not len(days):
        return "No forecast: Forecast days is 0."
    band = report.band
    if band.calibrated_on == "sequential":
        path = "the model's raw path" if report.settings.forecast_path == "raw" else (
            "the model's path blended per day with the flat last price (weights fitted on the errors known so far, "
            "0 where the model did not help)"
        )  # fmt: skip
        method = f"the drawn value is {path}; bands at {', '.join(f'{v:.0%}' for v in band.levels)}: {band.method}"
    else:
        method = f"{band.level:.0%} band of an earlier method: {band.method}"
    return (
        f"{len(days)} trading days ({report.data.calendar} calendar) after {report.data.end}, "
        f"{report.data.ticker} {report.data.price_column}; {method}. {report.future_inputs}"
    )


class RunView:
    """Renders the state into the window's panels, plots and tables on every change. While a task's result lands
    (`steps.spreading`) each part is drawn on a turn of its own (gui/steps.py); otherwise at once."""

    def __init__(self, window: MainWindow, state: AppState) -> None:
        self.window = window
        self.state = state
        self.steps = window.steps
        self.rendering = False  # while True, the panels' change signals are the view's own, not the user's
        state.subscribe(self.on_change)

    def on_change(self, change: Change) -> None:
        if self.steps.spreading and change in SPREAD:
            for key, part in self._parts(change):
                self.steps.add(key, lambda part=part: self._render(part))
            return
        self._render(lambda: self._show(change))

    def _render(self, part: Callable[[], None]) -> None:
        self.rendering = True
        try:
            part()
        finally:
            self.rendering = False

    def _parts(self, change: Change) -> list[tuple[tuple[str, str], Callable[[], None]]]:
        """The steps that show `change`, each small enough for one turn of the event loop."""
        if change is Change.DATA:
            return [(("view", "data"), self.show_data)]
        if change is Change.RUNS:
            return [(("view", "runs"), self.show_runs)]
        parts = [(("current", name), getattr(self, f"_show_{name}")) for name in CURRENT_PARTS[1:]]
        price = (("current", "price"), lambda: self._show_price(legend=False))
        legend = (("current", "legend"), self.window.price_plot.refresh_legend)  # a turn of its own
        return [price, legend, *parts, (("current", "buttons"), self.window.refresh_buttons)]

    def _show(self, change: Change) -> None:
        {
            Change.DATA: self.show_data,
            Change.CURRENT: self.show_current,
            Change.SETTINGS: self.show_settings,
            Change.FILE: self.show_file,
            Change.RUNS: self.show_runs,
        }[change]()

    def show_data(self) -> None:
        w, loaded = self.window, self.state.loaded
        if loaded is None:
            w.data_panel.show_loaded(["No data loaded."])
            w.model_panel.set_rows(None)
            return
        w.data_panel.show_loaded([frame.summary() for frame in loaded.frames])
        w.model_panel.set_rows(aligned_rows(loaded.frames))
        w.refresh_buttons()

    def show_current(self) -> None:
        """Every part of the current run (or of the runs compared, or of the prices loaded) at once."""
        for name in CURRENT_PARTS:
            getattr(self, f"_show_{name}")()
        self.window.refresh_buttons()

    def show_price_soon(self) -> None:
        """The price plot again (the Backtest tab draws the folds on it): on a later turn while a result lands."""
        self.steps.soon(("current", "price"), lambda: self._render(self._show_price))

    def _compared(self) -> list:
        w = self.window
        return w.runs.compared_runs() if hasattr(w, "runs") else []

    def _show_price(self, legend: bool = True) -> None:
        w, run, loaded = self.window, self.state.current, self.state.loaded
        compared = self._compared()
        if compared:
            dates, prices = target_series(compared[0].data.frames, compared[0].report.settings.dataset.target)
            show_compare(w.price_plot, w.loss_plot, dates, prices, compared)
        elif run is not None:
            report = run.report
            dates, prices = target_series(run.data.frames, report.settings.dataset.target)
            if report.backtest is not None and w.tabs.currentWidget() is w.backtest_view:
                show_backtest(w.price_plot, dates, prices, report)
            else:
                w.price_plot.show_run(dates, prices, report, legend=legend)
        elif loaded is not None:
            dates, prices = target_series(loaded.frames, self.state.project.settings.dataset.target)
            w.price_plot.show_prices(dates, prices, loaded.frames[0].ticker)
        else:
            w.price_plot.clear()

    def _show_loss(self) -> None:
        if self._compared():
            return  # drawn with the compared runs' prices
        run = self.state.current
        if run is None:
            self.window.loss_plot.clear()
        else:
            self.window.loss_plot.set_history(run.report.history, run.report.best_epoch)

    def _show_scores(self) -> None:
        if self._compared():
            return
        run = self.state.current
        if run is None:
            self.window.metrics.clear()
        else:
            self.window.metrics.show_run(run.report)

    def _show_forecast(self) -> None:
        if self._compared():
            return
        run = self.state.current
        if run is None:
            self.window.forecast_table.clear()
        else:
            self.window.forecast_table.show_forecast(run.report.forecast, forecast_caption(run.report))

    def _show_backtest(self) -> None:
        if self._compared():
            return
        run = self.state.current
        if run is not None and run.report.backtest is not None:
            self.window.backtest_view.show_backtest(run.report.backtest)
        else:
            self.window.backtest_view.clear()

    def show_settings(self) -> None:
        w, settings = self.window, self.state.project.settings
        w.data_panel.set_request(settings.data)
        w.model_panel.set_config(settings)
        w.refresh_buttons()
        notes = self.state.project.notes
        if w.notes.toPlainText() != notes:
            w.notes.blockSignals(True)
            w.notes.setPlainText(notes)
            w.notes.blockSignals(False)

    def show_file(self) -> None:
        w = self.window
        w.setWindowTitle(f"{self.state.title}[*] — lstm-desktop")
        w.setWindowModified(self.state.dirty)

    def show_runs(self) -> None:
        """The runs table, and the settings that differ between the runs being compared."""
        w = self.window
        columns, rows = table_rows(self.state.project)
        w.runs_table.show_rows(columns, rows)
        compared = w.runs.compared_runs() if hasattr(w, "runs") else []
        w.runs_table.show_diff([r.name for r in compared], settings_diff(compared) if compared else [])
        if compared:
            w.runs_table.select_ids([r.id for r in compared])
        w.refresh_buttons()
