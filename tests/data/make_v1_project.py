"""Write tests/data/project_v1.lstmproj: a small trained project in schema 1 (the first draft format), the
fixture for the migration test. Run from the repository root: python tests/data/make_v1_project.py
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from lstm_desktop.core.data.sources import DataRequest
from lstm_desktop.core.learn.dataset import DatasetSpec
from lstm_desktop.core.learn.model import ModelSpec
from lstm_desktop.core.learn.training import TrainSpec
from lstm_desktop.core.pipeline import RunConfig, run
from lstm_desktop.core.store import project_file
from lstm_desktop.core.store.project import Project

OUT = Path(__file__).resolve().parent / "project_v1.lstmproj"


def main() -> None:
    config = RunConfig(
        DataRequest("sample", ("MSFT",), start="2011-06-01"),
        DatasetSpec(window=10),
        ModelSpec(layers=1, hidden=4),
        TrainSpec(epochs=2, threads=1),
        forecast_days=5,
    )
    current = Project.from_run(run(config)).to_bytes()
    with zipfile.ZipFile(__import__("io").BytesIO(current)) as archive:
        meta = json.loads(archive.read("project.json"))
        prices, weights = archive.read("prices.csv"), archive.read("model.safetensors")
    meta["schema_version"] = 1
    meta["config"] = meta.pop("settings")
    meta.pop("notes")
    for row in meta["results"]["history"]:
        row["loss"] = row.pop("train_loss")
    meta.pop("checksums")
    OUT.write_bytes(project_file.pack(meta, prices, weights))


if __name__ == "__main__":
    main()
