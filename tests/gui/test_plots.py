"""Loss plot axes: whole epochs only, and readable log-scale labels (1, 2, 5 times a power of ten, once each)."""

from __future__ import annotations

import math

from lstm_desktop.gui.plots import EpochAxis, LossAxis


def labels(axis, low: float, high: float, size: float = 250) -> list[str]:
    texts = []
    for spacing, values in axis.tickValues(low, high, size):
        strings = axis.logTickStrings(values, 1, spacing) if axis.logMode else axis.tickStrings(values, 1, spacing)
        texts += [text for text in strings if text]
    return texts


def test_epoch_axis_labels_whole_epochs_only(qapp) -> None:
    axis = EpochAxis("bottom")
    assert labels(axis, 0.8, 3.2) == ["1", "2", "3"]
    assert all(float(text).is_integer() for text in labels(axis, 0, 40, 400))


def test_log_loss_axis_labels_each_value_once(qapp) -> None:
    axis = LossAxis("left")
    axis.setLogMode(False, True)
    for low, high in ((0.0004, 0.4), (0.002, 0.2), (0.03, 0.3)):
        texts = labels(axis, math.log10(low), math.log10(high))
        assert len(texts) == len(set(texts)), texts
        assert {float(t) / 10 ** math.floor(math.log10(float(t)) + 1e-9) for t in texts} <= {1.0, 2.0, 5.0}, texts
        assert len(texts) >= 2, texts
