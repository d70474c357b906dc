"""The Runs tab's lazy table: the cells a person sees, sorting by a header (numbers as numbers, empty cells last,
the selection following its runs, the order kept when the runs change), renaming with F2, and the current run in
bold."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from lstm_desktop.core.store.project import Project, new_run_id
from lstm_desktop.gui.runs_model import ID_ROLE, RunsModel

from ..tiny_runs import on_one_thread, tiny_config

CONFIG = tiny_config("IBM", "2011-01-01")


@pytest.fixture(scope="module")
def finished():
    from lstm_desktop.core.run import run

    return on_one_thread(lambda: run(CONFIG))


def project_of(finished, names: list[str]) -> Project:
    project = Project()
    first = project.add(finished, names[0])
    for name in names[1:]:
        project.runs.append(dataclasses.replace(first, id=new_run_id(), name=name))
    return project


def click_header(runs_table, header: str) -> None:
    """What a click on a column header does: the indicator moves there (or flips its order)."""
    column = [runs_table.model.headerData(c, Qt.Orientation.Horizontal) for c in range(runs_table.model.columnCount())]
    view_header = runs_table.table.horizontalHeader()
    section = column.index(header)
    order = Qt.SortOrder.AscendingOrder
    if view_header.sortIndicatorSection() == section and view_header.sortIndicatorOrder() == order:
        order = Qt.SortOrder.DescendingOrder
    view_header.setSortIndicator(section, order)


def test_the_table_shows_every_run_with_the_current_one_in_bold(window, finished) -> None:
    window.state.adopt(project_of(finished, ["b run", "a run", "c run"]), Path("runs.lstmproj"))
    table = window.runs_table
    assert table.column_texts("Name") == ["b run", "a run", "c run"]  # the order they were made
    skill = f"{finished.report.metrics['test'].skill:+.4f}"
    assert table.column_texts("Test skill") == [skill] * 3
    model = table.model
    current = window.state.current.id
    bold = [model.data(model.index(row, 1), Qt.ItemDataRole.FontRole) for row in range(3)]
    ids = [model.data(model.index(row, 0), ID_ROLE) for row in range(3)]
    assert [font is not None and font.bold() for font in bold] == [run_id == current for run_id in ids]


def test_sorting_by_a_header_keeps_the_selection_and_survives_changes(window, finished) -> None:
    window.state.adopt(project_of(finished, ["b run", "a run", "c run"]), Path("runs.lstmproj"))
    table = window.runs_table
    ids = {run.name: run.id for run in window.state.project.runs}
    table.select_ids([ids["c run"]])
    click_header(table, "Name")
    assert table.column_texts("Name") == ["a run", "b run", "c run"]
    assert table.selected_ids() == [ids["c run"]]  # the selection followed its run
    click_header(table, "Name")
    assert table.column_texts("Name") == ["c run", "b run", "a run"]
    window.state.rename_run(ids["a run"], "z run")  # the table is shown again from the state, still sorted
    assert table.column_texts("Name") == ["z run", "c run", "b run"]
    window.state.star_run(ids["b run"], True)
    click_header(table, "★")
    assert table.column_texts("★")[-1] == "★"  # ascending: unstarred (False) before starred


def test_f2_renames_through_the_state(window, finished) -> None:
    window.state.adopt(project_of(finished, ["first", "second"]), Path("runs.lstmproj"))
    model = window.runs_table.model
    name = model.index(1, model.columns.index("name"))
    assert model.flags(name) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(1, model.columns.index("created"))) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(name, "renamed")  # what the editor does when the user presses Enter
    assert [run.name for run in window.state.project.runs] == ["first", "renamed"]
    assert window.runs_table.column_texts("Name") == ["first", "renamed"] and window.state.dirty


def test_numbers_sort_as_numbers_and_empty_cells_last_in_either_order(qapp) -> None:
    model = RunsModel()
    rows = [
        {"id": "a", "name": "a", "skill": 0.25},
        {"id": "b", "name": "b", "skill": None},
        {"id": "c", "name": "c", "skill": -1.5},
        {"id": "d", "name": "d", "skill": 10.0},
        {"id": "e", "name": "e", "skill": float("nan")},
    ]
    model.set_rows(["id", "name", "skill"], rows)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.column_texts("Test skill") == ["-1.5000", "+0.2500", "+10.0000", "—", "—"]
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert model.column_texts("Test skill") == ["+10.0000", "+0.2500", "-1.5000", "—", "—"]
    model.set_rows(["id", "name", "skill"], rows[:3])  # new rows keep the order asked
    assert model.column_texts("Name") == ["a", "c", "b"]
