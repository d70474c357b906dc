"""search --project with a journal it did not write: refused with exit 2, the line and what to do, the project
untouched; --new-study moves it aside; a journal cut mid-line is cut back with a warning, and the next search's
runs never take the names of runs the project already holds."""

from __future__ import annotations

import json
from pathlib import Path

from lstm_desktop.cli import main

TINY = ["--window", "10", "--layers", "1", "--hidden", "2", "--threads", "1", "--forecast-days", "3", "--patience", "0"]
SEARCH = ["search", "--sample", "IBM", "--start", "2012-01-01", "--epochs", "1", "--workers", "1", *TINY]
ONE = ["--space", "window=10:30", "--trials", "1", "--json"]


def search_into(capsys, project: Path, *extra: str) -> tuple[int, dict | None, str]:
    code = main([*SEARCH, *ONE, "--project", str(project), *extra])
    out, err = capsys.readouterr()
    return code, (json.loads(out)["search"] if out else None), err


def test_a_journal_line_the_app_did_not_write_is_refused_and_the_project_kept(capsys, tmp_path: Path) -> None:
    from lstm_desktop.core.store.project_io import load_project

    project = tmp_path / "p.lstmproj"
    journal = tmp_path / "p.search.jsonl"
    code, doc, err = search_into(capsys, project)
    assert code == 0, err
    lines = journal.read_bytes().count(b"\n")
    with journal.open("ab") as handle:
        handle.write(b'{"op_code": 42, "worker_id": "someone"}\n')  # valid JSON, an operation Optuna does not know
    before = project.read_bytes()

    code, doc, err = search_into(capsys, project)
    assert code == 2 and doc is None
    assert f"error: Line {lines + 1} of the search journal {journal} cannot be used" in err
    assert "its operation 42 is not one Optuna writes" in err and "--new-study" in err
    assert "Traceback" not in err and "Should not reach" not in err
    assert project.read_bytes() == before  # a bad journal never touches the finished runs

    code, doc, err = search_into(capsys, project, "--new-study")
    assert code == 0, err
    assert "warning: the search journal" in err and "moved aside" in err
    assert doc["study"] == "search 2"  # the fresh journal is empty, but the project holds "search 1, trial 0"
    assert [r.name for r in load_project(project).runs] == ["search 1, trial 0", "search 2, trial 0"]

    data = journal.read_bytes()
    journal.write_bytes(data[: data.index(b"\n") // 2])  # cut in the middle of its first line: no study left
    code, doc, err = search_into(capsys, project)
    assert code == 0, err
    assert "warning: the search journal" in err and "ended in a partial line" in err
    assert doc["study"] == "search 3"
    names = [r.name for r in load_project(project).runs]
    assert names == ["search 1, trial 0", "search 2, trial 0", "search 3, trial 0"]
