"""A finished run as plain data for the trip back from a worker (report JSON and safetensors bytes), and back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..codec import to_json

if TYPE_CHECKING:
    from ..data.prices import PriceFrame
    from ..run import FinishedRun


def encode_run(finished: FinishedRun) -> dict[str, Any]:
    """What a worker returns for a run: no pickle of live objects, nothing the parent has already (the prices)."""
    from safetensors.torch import save

    return {"report": to_json(finished.report), "weights": save(dict(finished.weights))}


def decode_run(result: dict[str, Any], frames: tuple[PriceFrame, ...], where: str = "run") -> FinishedRun:
    """The run a worker sent, its report checked field by field and its weights against the settings' shapes."""
    from ..learn.model import expected_shapes
    from ..report import RunReport
    from ..run import FinishedRun
    from ..store.weights_file import load_float32

    report = RunReport.from_json(result["report"], where)
    shapes = expected_shapes(len(report.inputs), report.settings.dataset.horizon, report.settings.model)
    return FinishedRun(report, load_float32(result["weights"], shapes), tuple(frames))
