"""Reading the bundled 13-year AAPL file in a fresh process, the exchange calendar's import and build included:
what a user waits for when a CSV loads (target: well under a second). Figures only; the test checks the rows."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

SCRIPT = """
import time
started = time.perf_counter()
from lstm_desktop.core.data.csv_import import read_price_csv
from lstm_desktop.core.data.sources import sample_path
frame = read_price_csv(str(sample_path()), "AAPL")
print(time.perf_counter() - started, frame.rows)
"""


def csv_import_seconds(repeats: int = 3) -> float:
    """Median seconds to import the CSV reader and read the sample's AAPL (3270 rows) in a fresh process."""
    times = []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
        seconds, _rows = done.stdout.split()
        times.append(float(seconds))
    return float(np.median(times))
