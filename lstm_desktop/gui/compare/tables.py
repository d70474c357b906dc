"""The comparison's two tables: a row per variant (filled in as each ends) and per baseline; and the matrix of
pairwise Diebold–Mariano p-values, adjusted for the number of pairs, with each pair's sentence as its tooltip."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from lstm_desktop.core.compare.pairs import SIGNIFICANCE
from lstm_desktop.core.compare.report import BaselineRow, PairRow, VariantProgress, VariantRow

from ..live_table import LiveTable, number_text
from ..widgets import named

COLUMNS = (
    "Variant",
    "Status",
    "Test RMSE",
    "Skill",
    "Skill 90 % interval",
    "Band coverage",
    "Band width",
    "Backtest pooled skill",
    "Parameters",
    "s / epoch",
    "Problem",
)
BAD, MUTED, GOOD = "#d9534f", "#2f6fb0", "#3c9a3c"


class ModelsTable(LiveTable):
    """One row per variant, keyed by its name; baselines after them, in grey."""

    def __init__(self) -> None:
        super().__init__("modelsTable", "Each variant's test scores, band, size and speed; or why it has none", COLUMNS)

    def waiting(self, name: str) -> None:
        self.set_row(name, (name, "waiting", *[""] * (len(COLUMNS) - 2)))

    def running(self, step: VariantProgress) -> None:
        doing = f"folds {step.folds_finished}/{step.folds}" if step.folds else f"epoch {step.epoch}/{step.epochs}"
        self.set_row(step.name, (step.name, doing, *[""] * (len(COLUMNS) - 2)), MUTED)

    def ended(self, row: VariantRow) -> None:
        if row.error is not None:
            self.set_row(row.name, (row.name, "failed", *["—"] * (len(COLUMNS) - 3), row.error), BAD)
            return
        interval = f"{number_text(row.skill_low, '{:+.4f}')} to {number_text(row.skill_high, '{:+.4f}')}"
        values = (
            row.name,
            "done",
            number_text(row.rmse, "{:.4f}"),
            number_text(row.skill, "{:+.4f}"),
            interval,
            number_text(row.coverage, "{:.1%}"),
            number_text(row.width, "{:.2%}"),
            number_text(row.pooled_skill, "{:+.4f}"),
            f"{row.parameters:,}" if row.parameters is not None else "—",
            number_text(row.seconds_per_epoch, "{:.3f}"),
            "",
        )
        self.set_row(row.name, values, GOOD if row.skill_low is not None and row.skill_low > 0 else None)

    def baselines(self, rows: Sequence[BaselineRow]) -> None:
        for base in rows:
            values = (base.name, "baseline", number_text(base.rmse, "{:.4f}"), number_text(base.skill, "{:+.4f}"))
            self.set_row(f"baseline {base.name}", (*values, *["—"] * (len(COLUMNS) - 4)), "#888888")

    def selected_names(self) -> list[str]:
        rows = sorted({index.row() for index in self.selectedIndexes()})
        return [self.keys[r] for r in rows if not str(self.keys[r]).startswith("baseline ")]


class PairsTable(QTableWidget):
    """Variants by variants: each tested pair's adjusted p-value; green where the difference is measurable."""

    def __init__(self) -> None:
        super().__init__(0, 0)
        description = "Diebold–Mariano p-values on the same test days, adjusted by Holm for the number of pairs"
        named(self, "pairsTable", description)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.pairs: tuple[PairRow, ...] = ()

    def show_pairs(self, names: Sequence[str], pairs: Sequence[PairRow]) -> None:
        self.clear()
        self.pairs = tuple(pairs)
        shown = [n for n in names if any(n in (p.a, p.b) for p in pairs)]
        self.setRowCount(len(shown))
        self.setColumnCount(len(shown))
        self.setHorizontalHeaderLabels(shown)
        self.setVerticalHeaderLabels(shown)
        for i, a in enumerate(shown):
            for j, b in enumerate(shown):
                pair = next((p for p in pairs if {p.a, p.b} == {a, b}), None) if a != b else None
                item = QTableWidgetItem("" if a != b else "·")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if pair is not None:
                    item.setText(number_text(pair.p_adjusted, "{:.3f}") if pair.p_adjusted >= 0.001 else "< 0.001")
                    item.setToolTip(f"{pair.text}\n(p = {pair.p_value:.4g} before adjusting; {pair.days} test days)")
                    if pair.p_adjusted < SIGNIFICANCE:
                        item.setData(Qt.ItemDataRole.ForegroundRole, QColor(GOOD))
                self.setItem(i, j, item)

    def value(self, a: str, b: str) -> str:
        """The cell's text for the pair (a, b); "" when it is not shown."""
        labels = [self.verticalHeaderItem(r).text() for r in range(self.rowCount())]
        if a not in labels or b not in labels:
            return ""
        return self.item(labels.index(a), labels.index(b)).text()
