"""The strategy's settings, declared once like every setting (core/setting_fields.py): the command line's flags
and the window's widgets are built from these fields."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BadInput
from ..setting_fields import check_fields, setting

RULES = ("long_flat", "long_short", "scaled")
SIGNALS = ("auto", "backtest", "test")
RULE_LABELS = {
    "long_flat": "long or flat on the predicted sign",
    "long_short": "long or short on the predicted sign",
    "scaled": "scaled by predicted return over volatility",
}


@dataclass(frozen=True, kw_only=True)
class StrategySpec:
    """How predictions become positions and what a trade costs. A position decided at close t is held t -> t+1.

    Default costs are a retail broker's: a commission of 5 bp (0.05 %) of the amount traded and 5 bp of slippage
    (half a liquid stock's spread plus the move against a market order); zero-commission brokers take theirs
    through the spread, so their total is much the same."""

    rule: str = setting(
        "long_flat",
        label="Rule",
        help="long_flat: hold the stock when the predicted move is up, else cash; long_short: short when it is "
        "down; scaled: a position of predicted return over forecast volatility, capped",
        choices=RULES,
    )
    cost_bps: float = setting(
        5.0,
        label="Commission",
        help="commission per trade, in basis points of the amount traded (1 bp = 0.01 %)",
        low=0.0,
        high=500.0,
        unit="bp",
        step=0.5,
        decimals=1,
    )
    slippage_bps: float = setting(
        5.0,
        label="Slippage",
        help="price lost to the spread and market impact per trade, in basis points of the amount traded",
        low=0.0,
        high=500.0,
        unit="bp",
        step=0.5,
        decimals=1,
    )
    dead_band: float = setting(
        1.0,
        label="Dead band",
        help="no trade while the predicted move is smaller than this many times the cost of a trade "
        "(commission + slippage): the position stays as it was (0: trade on any predicted move)",
        low=0.0,
        high=20.0,
        unit="× costs",
        step=0.5,
        decimals=1,
    )
    full_at: float = setting(
        0.25,
        label="Full position at",
        help="scaled rule: the predicted move, in standard deviations of the next day's return, that takes a "
        "full position (smaller moves take part of one)",
        low=0.01,
        high=10.0,
        unit="sd",
        step=0.05,
        decimals=2,
    )
    cap: float = setting(
        1.0,
        label="Position cap",
        help="scaled rule: the largest position, long or short, as a multiple of equity (1: no leverage)",
        low=0.1,
        high=3.0,
        unit="× equity",
        step=0.1,
        decimals=1,
    )
    signals: str = setting(
        "auto",
        label="Predictions",
        help="which out-of-sample predictions trade: the walk-forward backtest's (each fold's model saw only "
        "earlier days), the test split's, or auto (the backtest when the run has one)",
        choices=SIGNALS,
        flag="--predictions",
    )

    def validate(self) -> None:
        check_fields(self)

    @property
    def cost_per_trade(self) -> float:
        """Commission plus slippage, as a fraction of the amount traded."""
        return (self.cost_bps + self.slippage_bps) / 10_000.0

    def costs_text(self) -> str:
        return f"{self.cost_bps:g} bp commission + {self.slippage_bps:g} bp slippage per trade"


def checked(spec: StrategySpec) -> StrategySpec:
    """The spec, refused in the user's words when a setting is out of bounds."""
    if not isinstance(spec, StrategySpec):
        raise BadInput("Strategy settings are missing.")
    spec.validate()
    return spec
