"""Every package under lstm_desktop/ is listed in pyproject.toml: a package left out installs in editable mode
(the tests' install) but is missing from a wheel, so `pip install .` gives an app that fails on first use."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_for_the_wheel() -> None:
    if tomllib is None:
        import pytest

        pytest.skip("tomllib needs Python 3.11")
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "lstm_desktop").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found - listed == set(), "packages missing from [tool.setuptools] packages in pyproject.toml"
    assert "lstm_desktop.resources" in listed
