"""How a run is updated, declared once like every setting (core/setting_fields.py): the command line's flags and the
window's Update model dialog are built from these fields. Light to import."""

from __future__ import annotations

from dataclasses import dataclass

from ..setting_fields import check_fields, setting


@dataclass(frozen=True, kw_only=True)
class UpdateSpec:
    """How a run is updated."""

    refit: bool = setting(
        False,
        label="Refit from the seed",
        help="train afresh from the run's seed instead of continuing from its weights (a warm start, the default)",
    )
    all_days: bool = setting(
        False,
        label="Retrain on all days",
        help="split the extended prices as a new run would, so the new days join training and validation; by "
        "default the run's training and validation days are kept and the new days go to test",
    )

    def validate(self) -> None:
        check_fields(self)
