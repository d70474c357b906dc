"""What a comparison varies, declared once like every setting: the cells to train side by side, and whether each
extra input is left out in turn (an ablation, tested). Light to import: no torch."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BadInput
from ..specs import CELLS, setting

CELL_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "plain RNN"}


@dataclass(frozen=True, kw_only=True)
class CompareSpec:
    """The variants of a comparison: one per cell, and (with drop_inputs) the first cell without each extra input."""

    cells: tuple[str, ...] = setting(
        CELLS, label="Cells", help=f"recurrent cells to train side by side: {', '.join(CELLS)}"
    )
    drop_inputs: bool = setting(
        False,
        label="Drop inputs",
        help="also train the first cell without each extra input (another ticker, a column), one at a time",
    )

    def validate(self) -> None:
        if not self.cells:
            raise BadInput(f"Name at least one cell to compare ({', '.join(CELLS)}).")
        unknown = [c for c in self.cells if c not in CELLS]
        if unknown:
            raise BadInput(f"Unknown cell {unknown[0]!r}; choose from {', '.join(CELLS)}.")
        if len(set(self.cells)) != len(self.cells):
            raise BadInput("A cell is listed twice.")
        if len(self.cells) < 2 and not self.drop_inputs:
            raise BadInput("A comparison needs two or more cells, or --drop-inputs (the inputs left out in turn).")
