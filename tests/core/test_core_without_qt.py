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
for package in ("data", "learn", "assess", "store", "living"):
    sub = importlib.import_module(f"lstm_desktop.core.{package}")
    for info in pkgutil.iter_modules(sub.__path__):
        importlib.import_module(f"lstm_desktop.core.{package}.{info.name}")
import lstm_desktop.cli
from lstm_desktop.core.run import run
from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
result = run(RunConfig(data=DataRequest(source="sample", tickers=("MSFT",), start="2011-01-01"),
                       dataset=DatasetSpec(window=10), model=ModelSpec(layers=1, hidden=4),
                       train=TrainSpec(epochs=1, threads=1), forecast_days=3))
assert len(result.report.forecast) == 3
assert not any(m.startswith(("PySide6", "pyqtgraph")) for m in sys.modules if sys.modules[m] is not None)
print("ok")
"""


def test_core_imports_and_runs_with_qt_blocked() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


LAYERS = """
import sys
for name in ("PySide6", "pyqtgraph", "shiboken6"):
    sys.modules[name] = None
import lstm_desktop.cli, lstm_desktop.cli_args, lstm_desktop.cli_text
from lstm_desktop.cli import main
code = main(["train", "--sample", "IBM", "--start", "2011-06-01", "--window", "10", "--layers", "1", "--hidden", "4",
             "--epochs", "1", "--threads", "1", "--forecast-days", "2", "--quiet"])
assert code == 0
assert not any(m.startswith(("PySide6", "pyqtgraph")) for m in sys.modules if sys.modules[m] is not None)
print("ok")
"""


def test_the_command_line_never_imports_qt() -> None:
    done = subprocess.run([sys.executable, "-c", LAYERS], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "ok"


def test_assessment_never_imports_training() -> None:
    """Scoring, baselines and forecasts work on any trained model: they must not depend on the training loop."""
    script = (
        "import sys, importlib, pkgutil\n"
        "import lstm_desktop.core.assess as assess\n"
        "for info in pkgutil.iter_modules(assess.__path__):\n"
        "    importlib.import_module(f'lstm_desktop.core.assess.{info.name}')\n"
        "print('lstm_desktop.core.learn.training' in sys.modules, 'lstm_desktop.core.learn.optimiser' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]
