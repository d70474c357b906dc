"""A test that hangs fails with the place it hung (pytest-timeout), instead of stalling the whole run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_has_a_time_limit(request) -> None:
    assert request.config.pluginmanager.hasplugin("timeout")
    assert float(request.config.getini("timeout")) == 300


def test_a_hanging_test_fails_with_the_line_it_hung_on(tmp_path) -> None:
    hangs = tmp_path / "test_hangs.py"
    hangs.write_text(
        textwrap.dedent(
            """
            import threading
            import pytest

            @pytest.mark.timeout(1)
            def test_waits_forever():
                threading.Event().wait()  # the hang

            def test_after_it():
                assert True
            """
        )
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(ROOT / "pyproject.toml"),
         "--rootdir", str(tmp_path), str(hangs)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Timeout" in out and "threading.Event().wait()  # the hang" in out
    assert "1 failed, 1 passed" in out  # the other tests still ran
    assert time.monotonic() - started < 60
