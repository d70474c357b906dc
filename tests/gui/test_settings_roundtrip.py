"""Settings are declared once: every widget's range is its declaration's, and every setting of a project survives
being shown in the window and read back, including those without a widget (scaler, split dates, device...)."""

from __future__ import annotations

import dataclasses

import pytest

from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec, fields_of
from lstm_desktop.gui.model_panel import ModelPanel

WIDGETS = {
    "windowSpin": (DatasetSpec, "window"),
    "horizonSpin": (DatasetSpec, "horizon"),
    "valFracSpin": (DatasetSpec, "val_frac"),
    "testFracSpin": (DatasetSpec, "test_frac"),
    "layersSpin": (ModelSpec, "layers"),
    "hiddenSpin": (ModelSpec, "hidden"),
    "dropoutSpin": (ModelSpec, "dropout"),
    "epochsSpin": (TrainSpec, "epochs"),
    "batchSpin": (TrainSpec, "batch_size"),
    "learningRateSpin": (TrainSpec, "lr"),
    "patienceSpin": (TrainSpec, "patience"),
    "seedSpin": (TrainSpec, "seed"),
    "forecastDaysSpin": (RunConfig, "forecast_days"),
    "threadsSpin": (TrainSpec, "threads"),
}
CHOICES = {
    "targetCombo": (DatasetSpec, "target"),
    "targetModeCombo": (DatasetSpec, "target_mode"),
    "precisionCombo": (TrainSpec, "precision"),
    "cellCombo": (ModelSpec, "cell"),
}

UNUSUAL = RunConfig(
    data=DataRequest(source="csv", tickers=("AAA", "BBB"), csv_path="/data/x.csv", start="2001-02-03", offline=True),
    dataset=DatasetSpec(
        features=("Close", "Volume"),
        target="Close",
        target_mode="log_return",
        window=37,
        horizon=3,
        val_frac=0.2,
        test_frac=0.1,
        val_start="2010-01-04",
        test_start="2011-01-03",
        scaler="standard",
    ),
    model=ModelSpec(cell="gru", layers=3, hidden=33, dropout=0.125),  # more decimals than the spin box shows
    train=TrainSpec(
        epochs=7,
        batch_size=48,
        lr=1.5e-7 * 10,
        patience=0,
        seed=2**31 - 1,
        device="cuda:1",
        threads=3,
        precision="bfloat16",
    ),
    forecast_days=1000,
)


@pytest.fixture
def panel(qtbot) -> ModelPanel:
    widget = ModelPanel()
    qtbot.addWidget(widget)
    return widget


def test_every_widget_offers_exactly_its_declared_range(panel: ModelPanel) -> None:
    for name, (cls, field) in WIDGETS.items():
        widget = panel.findChild(object, name)
        meta = fields_of(cls)[field].metadata
        assert (widget.minimum(), widget.maximum()) == (meta["low"], meta["high"]), name
        assert widget.toolTip() == meta["help"], name
    for name, (cls, field) in CHOICES.items():
        combo = panel.findChild(object, name)
        assert tuple(combo.itemData(i) for i in range(combo.count())) == fields_of(cls)[field].metadata["choices"]


def test_every_setting_survives_the_window_unchanged(panel: ModelPanel) -> None:
    panel.set_config(UNUSUAL)
    assert panel.config(UNUSUAL.data) == UNUSUAL
    assert "scaler standard" in panel.kept.text() and "device cuda:1" in panel.kept.text()
    panel.hidden.setValue(40)  # an edit changes that field and nothing else
    assert panel.config(UNUSUAL.data) == dataclasses.replace(
        UNUSUAL, model=dataclasses.replace(UNUSUAL.model, hidden=40)
    )


def test_the_data_panel_keeps_a_request_whole(qtbot) -> None:
    from lstm_desktop.gui.data_panel import DataPanel

    data = DataPanel()
    qtbot.addWidget(data)
    data.set_request(UNUSUAL.data)
    assert data.request() == UNUSUAL.data


def test_a_project_from_the_command_line_round_trips_through_the_window(qtbot, window, tmp_path) -> None:
    """project -> window -> project: every RunConfig field unchanged (the window drives the real state)."""
    from lstm_desktop.core.store.project import Project

    project = Project(settings=UNUSUAL)
    window.state.adopt(project, tmp_path / "cli.lstmproj")
    assert window.current_config() == UNUSUAL
    window.model_panel.epochs.setValue(8)
    assert window.state.project.settings == dataclasses.replace(
        UNUSUAL, train=dataclasses.replace(UNUSUAL.train, epochs=8)
    )
