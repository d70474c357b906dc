"""Recent projects and crash recovery."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lstm_desktop.core.store.project_io import load_project
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


CRASH = """
import os, sys
from lstm_desktop.core.data.sources import load_prices
from lstm_desktop.core.specs import DataRequest, RunConfig
from lstm_desktop.core.store.project import DataSet, Project
from lstm_desktop.core.store.workspace import Recovery
config = RunConfig(data=DataRequest(source="sample", tickers=("IBM",), start="2012-01-01"))
project = Project(settings=config, loaded=DataSet.of(load_prices(config.data)), notes="unsaved work")
print(Recovery().autosave(project))
sys.stdout.flush()
os._exit(9)  # a crash: no clean exit, no discard
"""


def test_autosave_of_a_crashed_session_is_offered_once(tmp_path: Path) -> None:
    mine = Recovery()  # this app, running: its own autosave is not a crash
    done = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr
    crashed = Path(done.stdout.strip())
    live = Recovery()  # another app still running: its autosave is no crash either
    live.autosave(load_project(crashed))
    mine.autosave(load_project(crashed))
    found = mine.left_by_crashes()
    assert found == [crashed]
    assert load_project(found[0]).notes == "unsaved work"
    Recovery.forget(found[0])
    assert mine.left_by_crashes() == []
    live.release()
    assert not live.path.exists()
    mine.release()
    assert not mine.path.exists()
