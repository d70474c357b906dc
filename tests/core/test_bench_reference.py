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


def test_the_kernel_and_cell_rows_time_the_reference_network(monkeypatch):
    """The rows themselves, not only the helper: each model they time (and count the FLOPs of) is the reference
    shape. Before 6439bbd the kernel rows built ModelSpec(cell=...) and timed the 2x32 default under a 2x50 label;
    the timing and the machine's settings are replaced here, so this runs in a blink and changes no thread count."""
    from lstm_desktop.bench import cells, kernel, training
    from lstm_desktop.core import runtime

    timed = []

    def fake_epochs(dataset, model, epochs, threads):
        timed.append((dataset.spec.window, model.layers, model.hidden))
        return [1.0, 1.0]

    for module in (training, cells):
        monkeypatch.setattr(module, "app_epoch_seconds", fake_epochs)
        monkeypatch.setattr(module, "matmul_gflops", lambda threads: 100.0)

    def fake_split(dataset, model):
        timed.append((dataset.spec.window, model.layers, model.hidden))
        return {}

    monkeypatch.setattr(kernel, "epoch_split", fake_split)
    for name in ("tune_allocator", "pin_blas_threads", "set_threads"):
        monkeypatch.setattr(runtime, name, lambda *args: None)
    kernel.measure(epochs=2, threads=1, rounds=1)
    cells.cell_figures(epochs=2, threads=1)
    assert len(timed) == len(CELLS) * (2 * len(kernel.PATHS) + 1)  # each path twice (epochs, split), a cell row
    assert set(timed) == {(100, 2, 50)}


def test_the_headless_reference_run_trains_what_the_reference_button_sets():
    """The bench's command-line runs (window against headless, peak memory) pass the reference setup's flags: with
    the defaults moved, a bare `train --sample AAPL` trained 2×32 over 20 days while the rows said reference."""
    import dataclasses

    from lstm_desktop.bench.training import reference_cli_flags
    from lstm_desktop.cli import build_parser
    from lstm_desktop.cli_args import run_config
    from lstm_desktop.core.presets import reference_settings

    args = build_parser().parse_args(["train", "--sample", "AAPL", *reference_cli_flags(), "--epochs", "3"])
    config = run_config(args)
    expected = reference_settings(dataclasses.replace(config, model=ModelSpec()))
    assert config.model == expected.model
    assert config.dataset == expected.dataset
    assert dataclasses.replace(config.train, epochs=expected.train.epochs) == expected.train
