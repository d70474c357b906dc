"""The benches' fixed rows measure the reference setup they name (2×50, window 100), not the app's defaults,
which moved to a cheaper shape by measurement."""

from lstm_desktop.bench.training import reference_dataset, reference_model
from lstm_desktop.core.presets import REFERENCE_DATASET
from lstm_desktop.core.specs import CELLS, DatasetSpec, ModelSpec


def test_reference_model_keeps_the_reference_shape_for_every_cell():
    for cell in CELLS:
        model = reference_model(cell)
        assert (model.cell, model.layers, model.hidden, model.dropout) == (cell, 2, 50, 0.0)
    assert ModelSpec().hidden != 50  # the default moved; the bench must not follow it


def test_reference_dataset_keeps_the_reference_window_and_target():
    dataset = reference_dataset()
    assert dataset.spec.window == REFERENCE_DATASET.window == 100
    assert dataset.spec.target_mode == REFERENCE_DATASET.target_mode
    assert DatasetSpec().window != 100
    assert dataset.x["train"].shape[1] == 100
