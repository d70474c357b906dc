"""The core knows no screen: it imports and trains with PySide6 and pyqtgraph made unimportable."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import pkgutil, sys, importlib
for name in ("PySide6", "pyqtgraph", "shiboken6"):
    sys.modules[name] = None  # any import of them now raises ImportError
import lstm_desktop.core as core
for info in pkgutil.iter_modules(core.__path__):
    importlib.import_module(f"lstm_desktop.core.{info.name}")
import lstm_desktop.cli
from lstm_desktop.core.pipeline import RunConfig, run
from lstm_desktop.core.learn.dataset import DatasetSpec
from lstm_desktop.core.learn.model import ModelSpec
from lstm_desktop.core.learn.training import TrainSpec
from lstm_desktop.core.data.sources import DataRequest
result = run(RunConfig(DataRequest("sample", ("MSFT",), start="2011-01-01"), DatasetSpec(window=10),
                       ModelSpec(1, 4), TrainSpec(epochs=1, threads=1), 3))
assert len(result.forecast) == 3
assert not any(m.startswith(("PySide6", "pyqtgraph")) for m in sys.modules if sys.modules[m] is not None)
print("ok")
"""


def test_core_imports_and_runs_with_qt_blocked() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
