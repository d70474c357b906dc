"""Hostile project.json texts parsed in pieces (helper-31h): the same values, key order and errors as json.loads at
every cut level, and a run's report text saved again byte for byte after a project is opened and saved."""

from __future__ import annotations

import io
import json
import math
import zipfile
from pathlib import Path

import pytest

from lstm_desktop.core.store.json_pieces import loads_in_pieces
from lstm_desktop.core.store.project_io import load_project, save_project

DATA = Path(__file__).parent.parent / "data"

SAME = [
    # escapes in keys: an escaped "report" is the key "report"; surrogates, lone or paired, in keys and values
    '{"runs": [{"\\u0072eport": {"\\ud800": "\\udc80", "\\ud83d\\ude00": "\\u2028"}, "id": 1}]}',
    # whitespace around every token at every cut level, and an empty object and list at each
    '{ "runs" :[ { "a" :{ "b" :{ "c" :{ "d" :{ } , "e" :[ ] } , "f" : { } } } } ] }',
    # numbers json.loads turns into inf, -0.0 and big ints, at the cut levels and below
    '{"runs": [{"a": {"b": {"c": 1e400, "d": -0.0, "e": {"f": 123456789012345678901234567890, "g": -1e400}}}}]}',
    # duplicates at every level: the last value wins, the key keeps its first place
    '{"runs": [{"k": 1, "m": 0, "k": {"a": 1, "b": 2, "a": {"x": 1, "y": 2, "x": 3}}}], "runs": []}',
    '{"runs": [{"k": 1, "m": 0, "k": {"a": 1, "b": 2, "a": {"x": 1, "y": 2, "x": 3}}}]}',
]
REFUSED = [
    '\ufeff{"runs": []}',  # a byte-order mark
    '{"runs": [{"a": {"b": {"c": {"d": "\x01"}}}}]}',  # a control character in a string four levels down
    '{"runs": [{"a": {"b": {"c": 1}}}}]}',  # one brace too many
    '{"runs": [{"a": {"b": {"c": 1}}]}',  # one brace too few
    '{"runs": [{"a": {"b": {"c": nan}}}]}',  # NaN spelt in lower case
    '{"runs": [{"a": {"b": 1' + "0" * 5000 + "}}]}",  # more than 4300 digits
]


def same(a: object, b: object) -> bool:
    """Equal, with NaN equal to NaN, -0.0 told from 0.0 and the order of keys compared."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("text", SAME)
def test_hostile_texts_parse_the_same_as_json_loads(text: str) -> None:
    assert same(loads_in_pieces(text, ("report",)), json.loads(text))


def test_an_escaped_report_key_keeps_its_text() -> None:
    run = loads_in_pieces(SAME[0], ("report",))["runs"][0]
    assert run.sources["report"] == '{"\\ud800": "\\udc80", "\\ud83d\\ude00": "\\u2028"}'


@pytest.mark.parametrize("text", REFUSED)
def test_hostile_texts_are_refused_as_json_loads_refuses_them(text: str) -> None:
    with pytest.raises(ValueError) as expected:
        json.loads(text)
    with pytest.raises(ValueError) as got:
        loads_in_pieces(text, ("report",))
    assert type(got.value) is type(expected.value)


def test_a_report_text_spaced_and_escaped_by_hand_is_saved_again_byte_for_byte(tmp_path: Path) -> None:
    """A file written by another tool (spaces, an escaped key, a duplicate member) opens, saves and opens again with
    its run's report text unchanged, and the same report."""
    save_project(load_project(DATA / "project_v5.lstmproj"), tmp_path / "current.lstmproj")
    with zipfile.ZipFile(tmp_path / "current.lstmproj") as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    text = entries.pop("project.json").decode()
    start = text.index('"report":', text.index('"runs":')) + len('"report":')
    end = json.JSONDecoder().raw_decode(text, start)[1]
    report = text[start:end].replace(",", " , ").replace(":", " :  ")  # in strings too: values change, validly
    report = '{ "settings" : "replaced by the next one" ,' + report[1:].replace('"settings"', '"\\u0073ettings"', 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.json", (text[:start] + " \n " + report + " \n " + text[end:]).encode())
        for name, data in entries.items():
            archive.writestr(name, data)
    (tmp_path / "by_hand.lstmproj").write_bytes(buffer.getvalue())
    opened = load_project(tmp_path / "by_hand.lstmproj")
    assert opened.runs[0].report_json == report
    save_project(opened, tmp_path / "again.lstmproj")
    again = load_project(tmp_path / "again.lstmproj")
    assert again.runs[0].report_json == report
    assert json.dumps(again.runs[0].report.settings.model.__dict__, default=str) == json.dumps(
        opened.runs[0].report.settings.model.__dict__, default=str
    )
