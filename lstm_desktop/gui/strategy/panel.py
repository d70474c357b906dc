"""The strategy's rule and cost settings, one widget per field of StrategySpec (built from its declaration)."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QGridLayout, QGroupBox, QLabel, QWidget

from lstm_desktop.core.setting_fields import fields_of
from lstm_desktop.core.strategy.spec import RULE_LABELS, StrategySpec

from ..setting_widgets import combo_for, double_for

OBJECT_NAMES = {
    "rule": "strategyRuleCombo",
    "cost_bps": "strategyCostSpin",
    "slippage_bps": "strategySlippageSpin",
    "dead_band": "strategyDeadBandSpin",
    "full_at": "strategyFullAtSpin",
    "cap": "strategyCapSpin",
    "signals": "strategySignalsCombo",
}
PLACES = {  # (row, column) in the box: two settings a row, the rule on its own
    "rule": (0, 0),
    "cost_bps": (1, 0),
    "slippage_bps": (1, 1),
    "dead_band": (2, 0),
    "signals": (2, 1),
    "full_at": (3, 0),
    "cap": (3, 1),
}
SIGNAL_LABELS = {"auto": "auto", "backtest": "backtest", "test": "test split"}
# short enough to show whole in the closed box at its least width; each choice's tooltip says it in full (RULE_LABELS)
SHORT_RULES = {"long_flat": "long or flat", "long_short": "long or short", "scaled": "scaled"}


class StrategyPanel(QGroupBox):
    """Settings in, StrategySpec out; `changed` on every edit by the user (not while `set_spec` shows one)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Rule and costs", parent)
        self.widgets: dict[str, QComboBox | QDoubleSpinBox] = {}
        self.labels: dict[str, QLabel] = {}
        self.columns = 2
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(3)
        for name, item in fields_of(StrategySpec).items():
            meta = item.metadata
            if meta["choices"]:
                labels = SHORT_RULES if name == "rule" else SIGNAL_LABELS
                widget = combo_for(StrategySpec, name, OBJECT_NAMES[name], labels)
                widget.currentIndexChanged.connect(self._on_edited)
                if name != "rule":
                    widget.setMaximumWidth(104)
                else:  # sized to its longest short name, which it shows whole (a longer one was cut off)
                    widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                    widget.setMinimumContentsLength(max(map(len, SHORT_RULES.values())))
                    for index in range(widget.count()):
                        widget.setItemData(index, RULE_LABELS[widget.itemData(index)], Qt.ItemDataRole.ToolTipRole)
            else:
                widget = double_for(StrategySpec, name, OBJECT_NAMES[name])
                widget.setSuffix(f" {meta['unit']}" if meta["unit"] else "")
                widget.valueChanged.connect(self._on_edited)
                widget.setMaximumWidth(104)  # room for the plot beside the box
            self.widgets[name] = widget
            self.labels[name] = QLabel(meta["label"])
        self._place()
        self._showing = False
        self.set_spec(StrategySpec())

    def set_columns(self, columns: int) -> None:
        """`columns` settings to a row: 2, or 1 where the tab is narrow, so the plot beside keeps its width."""
        if columns != self.columns:
            self.columns = columns
            self._place()

    def _place(self) -> None:
        grid = self.layout()
        for name in PLACES:
            grid.removeWidget(self.labels[name])
            grid.removeWidget(self.widgets[name])
        in_order = sorted(PLACES, key=PLACES.get)
        for index, name in enumerate(in_order):
            row, column = PLACES[name] if self.columns == 2 else (index, 0)
            grid.addWidget(self.labels[name], row, column * 2)
            grid.addWidget(self.widgets[name], row, column * 2 + 1, 1, 3 if name == "rule" and self.columns == 2 else 1)

    def _on_edited(self) -> None:
        self._enable_scaled()
        if not self._showing:
            self.changed.emit()

    def _enable_scaled(self) -> None:
        scaled = self.widgets["rule"].currentData() == "scaled"
        for name in ("full_at", "cap"):
            self.widgets[name].setEnabled(scaled)

    def set_spec(self, spec: StrategySpec) -> None:
        self._showing = True
        try:
            for name, widget in self.widgets.items():
                value = getattr(spec, name)
                if isinstance(widget, QComboBox):
                    widget.setCurrentIndex(widget.findData(value))
                else:
                    widget.setValue(value)
        finally:
            self._showing = False
        self._enable_scaled()

    def spec(self) -> StrategySpec:
        values = {
            name: widget.currentData() if isinstance(widget, QComboBox) else widget.value()
            for name, widget in self.widgets.items()
        }
        return dataclasses.replace(StrategySpec(), **values)
