"""Recent projects and crash recovery."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lstm_desktop.core.data.sources import DataRequest, load_prices
from lstm_desktop.core.learn.dataset import DatasetSpec
from lstm_desktop.core.pipeline import RunConfig
from lstm_desktop.core.store.project import Project, load_project
from lstm_desktop.core.store.workspace import MAX_RECENT, RecentProjects, Recovery


def test_recent_projects_most_recent_first_without_duplicates_or_missing_files(tmp_path: Path) -> None:
    recent = RecentProjects()
    files = []
    for index in range(MAX_RECENT + 2):
        path = tmp_path / f"p{index}.lstmproj"
        path.write_text("x")
        files.append(path)
        recent.add(path)
    recent.add(files[3])
    listed = recent.paths()
    assert listed[0] == files[3].resolve() and len(listed) == MAX_RECENT
    assert len(set(listed)) == len(listed)
    files[5].unlink()
    assert files[5].resolve() not in recent.paths()
    recent.path.write_text("{broken")
    assert RecentProjects().paths() == []  # a damaged list is an empty list, not a crash


def test_autosave_of_a_crashed_session_is_offered_once(tmp_path: Path) -> None:
    config = RunConfig(DataRequest("sample", ("IBM",), start="2012-01-01"), DatasetSpec(window=10))
    project = Project(config, load_prices(config.data), notes="unsaved work")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    crashed = Recovery(pid=int(dead.stdout))
    crashed.autosave(project)  # then the app "crashes": it never calls discard()

    mine = Recovery()
    mine.autosave(project)  # my own autosave is not a crash
    found = mine.left_by_crashes()
    assert found == [crashed.path]
    assert load_project(found[0]).notes == "unsaved work"
    Recovery.forget(found[0])
    assert mine.left_by_crashes() == []
    mine.discard()
    assert not mine.path.exists()
