"""The band as the window shows it: the fan shaded, its columns in the Forecast table, coverage by step beside the
nominal line, the calm/turbulent figures and the verdict; the raw-path setting draws the model's own path."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from .conftest import small_settings


def test_the_fan_the_coverage_plot_and_the_verdict_are_shown(qtbot, window) -> None:
    small_settings(window, epochs=2)
    with qtbot.waitSignal(window.trainingFinished, timeout=180_000):
        qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    report = window.state.current.report
    band = report.band
    assert band.calibrated_on == "sequential" and band.verdict is not None
    # the Scores tab: the verdict sentence, the coverage plot with both bands and the nominal line
    assert band.verdict.text in window.metrics.band.text()
    plot = window.metrics.coverage
    assert plot.plot.objectName() == "coveragePlot"
    assert np.allclose(plot.model.yData, band.coverage["test"].by_step, equal_nan=True)
    assert np.allclose(plot.baseline.yData, band.baseline.coverage["test"].by_step, equal_nan=True)
    assert plot.nominal.value() == band.level
    assert "Calm half" in plot.figures.text() and "95%" in plot.figures.text()
    # the Forecast table: date, forecast, then a low and a high column per level
    table = window.forecast_table.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["Date", "Forecast", "50% low", "50% high", "80% low", "80% high", "90% low", "90% high",
                       "95% low", "95% high"]  # fmt: skip
    assert table.rowCount() == len(report.forecast)
    assert float(table.item(0, 6).text()) == round(float(report.forecast.lower[0]), 4)
    # the price plot shades each level of the fan
    fan = window.price_plot.fan
    assert {round(level, 2) for level in fan} == {0.5, 0.8, 0.95}
    assert len(fan[0.5][0].xData) == len(report.forecast)
    assert "drawn value is the model's path blended" in window.forecast_table.caption.text()


def test_the_raw_path_setting_draws_the_models_own_path(qtbot, window) -> None:
    small_settings(window, epochs=1)
    combo = window.model_panel.forecast_path
    combo.setCurrentIndex(combo.findData("raw"))
    with qtbot.waitSignal(window.trainingFinished, timeout=180_000):
        qtbot.mouseClick(window.train_button, Qt.MouseButton.LeftButton)
    report = window.state.current.report
    assert report.settings.forecast_path == "raw"
    assert all(weight == 1.0 for weight in report.band.blend)
    assert "the model's raw path" in window.forecast_table.caption.text()
