"""project.json parsed a run at a time gives what json.loads gives and refuses what it refuses (the store's own
tests open every project through it)."""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import pytest

from lstm_desktop.core.store.json_pieces import extra_key_memory, kept_memory, loads_in_pieces

DATA = Path(__file__).parent.parent / "data"

SAME = [
    '{"a": 1, "runs": [{"x": [1, 2, {"y": null}]}, [], "s"], "b": {"c": [true, false]}}',
    ' \n{ "runs" : [ ] , "e" : { } }\t\r\n',
    "{}",
    '{"nan": NaN, "inf": [Infinity, -Infinity], "u": "\\u00e9\\n\\"q\\""}',
    '{"dup": 1, "dup": [2]}',  # the last one wins, as with json.loads
    "[1, 2, 3]",  # not an object: parsed whole
    '"text"',
    '{"runs": [{"report": {"a": [1, 2.50]}, "id": "r"}, {}, {"report": 1, "report": {"b": 2}}, 3]}',
    # objects within a run are cut three levels down, then parsed whole: every level, duplicates among them
    '{"runs": [{"r": {"p": {"t": {"d": {"e": {}, "e": [1]}, "x": {}}, "t": {"y": -0.5}}, "q": { }}}]}',
]
REFUSED = [
    '{"a": 1,}',
    '{"a" 1}',
    '{"runs": [1, 2,]}',
    '{"runs": [1 2]}',
    '{"a": 1} x',
    "{1: 2}",
    '{"a": [1, 2}',
    '{"a": ',
    "",
    '{"runs": [{"a": 1,}]}',
    '{"runs": [{"a" 1}]}',
    '{"runs": [{1: 2}]}',
    '{"runs": [{"report": [1, 2}]}',
    '{"runs": [{"a": 1}',
    '{"runs": [{"r": {"p": {"t": {"d": 1,}}}}]}',
    '{"runs": [{"r": {"p": {"t": {"d" 1}}}}]}',
    '{"runs": [{"r": {"p": {1: 2}}}]}',
    '{"runs": [{"r": {"p": {"t": 1}}]}',
]


@pytest.mark.parametrize("keep", [(), ("report",)])
@pytest.mark.parametrize("text", SAME)
def test_the_same_as_json_loads(text: str, keep: tuple[str, ...]) -> None:
    expected, got = json.loads(text), loads_in_pieces(text, keep)
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)
    if isinstance(expected, dict) and "nan" in expected:
        assert math.isnan(got["nan"])


@pytest.mark.parametrize("keep", [(), ("report",)])
@pytest.mark.parametrize("text", REFUSED)
def test_refuses_what_json_loads_refuses(text: str, keep: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        loads_in_pieces(text, keep)


def test_a_list_items_kept_members_keep_their_text() -> None:
    """A run's report is kept as the text it was parsed from (saving reuses it instead of encoding it again)."""
    text = '{"runs": [{"id": "a", "report": {"b": [1, 2.50, NaN]} }, {"id": "b"}, {"report": 1, "report": [2]}, 3],'
    text += ' "report": {"top": 1}, "frozen": [{"x": 1}]}'
    got = loads_in_pieces(text, ("report",))
    first, second, twice, number = got["runs"]
    assert first.sources == {"report": '{"b": [1, 2.50, NaN]}'} and first["report"]["b"][1] == 2.5
    assert not hasattr(second, "sources")  # nothing kept: a plain dict, which costs less
    assert twice.sources == {"report": "[2]"} and number == 3  # the last one, as parsed
    assert not hasattr(got, "sources") and not hasattr(got["frozen"][0], "sources")  # the top level keeps none
    assert not hasattr(loads_in_pieces(text)["runs"][0], "sources")  # nothing asked: plain dicts


def test_a_stored_project_json_parses_the_same() -> None:
    with zipfile.ZipFile(DATA / "project_v1.lstmproj") as archive:
        text = archive.read("project.json").decode("utf-8")
    assert json.dumps(loads_in_pieces(text), sort_keys=True) == json.dumps(json.loads(text), sort_keys=True)


def test_the_extra_memory_counts_every_key_once_per_member() -> None:
    assert extra_key_memory(0, 0, 1) == 0
    assert extra_key_memory(1000, 0, 1) == 80_000
    assert extra_key_memory(10, 40, 2) > extra_key_memory(10, 40, 1)


@pytest.mark.parametrize("report", ["12", '"ab"', "{}", '"\u00e9\u00e9"', '"\U0001f600"', '{"a": [1, 2], "b": "x"}'])
def test_the_kept_texts_take_no_more_memory_than_their_bound(report: str) -> None:
    """Many runs with tiny reports are the worst case: each kept text costs its string's header and an entry in
    `sources` beyond its characters (a reviewer's file of 592,648 such runs took 286 MiB against a 204 MiB budget
    that counted the characters only)."""
    import tracemalloc

    items = 20_000
    text = '{"runs": [' + ", ".join([f'{{"id": {i}, "report": {report}}}' for i in range(items)]) + "]}"
    largest = max(map(ord, text))
    width = 4 if largest > 0xFFFF else 2 if largest > 0xFF else 1  # bytes a character of the text takes in Python
    peaks = []
    for keep in ((), ("report",)):
        tracemalloc.start()
        try:
            got = loads_in_pieces(text, keep)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        del got
    assert 0 < peaks[1] - peaks[0] <= kept_memory(items, len(text), width)
