"""The search journal read defensively: any line that cannot be used (unknown operation, wrong types, cut short,
huge, nested deep) is refused naming its line and what to do, never a traceback; the one damage a kill leaves (a
partial last line) is cut with a warning; a kill while writing leaves at most that."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from lstm_desktop.core.search.journal import new_study, open_storage
from lstm_desktop.core.search.journal_check import MAX_LINE_BYTES, BadJournal, check_journal

# Hypothesis caches what it reads of the source (.hypothesis/) in the working folder even without a database:
# keep the repository clean (the same folder as the other fuzz tests)
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "lstm-desktop-hypothesis")


def real_journal(path: Path) -> bytes:
    """A journal as a search writes it: a study with its attributes, trials complete, pruned and failed."""
    import optuna
    from optuna.distributions import FloatDistribution, IntDistribution
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = new_study(open_storage(path), None, {"settings": {"window": 10}, "app": "0.1.0"})
    space = {"window": IntDistribution(10, 30), "lr": FloatDistribution(1e-4, 1e-1, log=True)}
    for number, state in enumerate(("complete", "pruned", "failed")):
        trial = study.ask(space)
        trial.report(0.5 / (number + 1), 1)
        trial.set_user_attr("run", f"search 1, trial {number}")
        if state == "complete":
            study.tell(trial, 0.25)
        else:
            study.tell(trial, state=TrialState.PRUNED if state == "pruned" else TrialState.FAIL)
    return path.read_bytes()


def usable(path: Path) -> None:
    """What a search does with a journal: open it, start the next study, ask a trial and tell it."""
    from optuna.distributions import IntDistribution

    study = new_study(open_storage(path), None, {"app": "test"})
    trial = study.ask({"window": IntDistribution(10, 30)})
    study.tell(trial, 1.0)


@pytest.fixture(scope="module")
def journal_bytes(tmp_path_factory) -> bytes:
    return real_journal(tmp_path_factory.mktemp("journal") / "j.jsonl")


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ({"op_code": 99, "worker_id": "w"}, "its operation 99 is not one Optuna writes"),
        (
            {
                "op_code": 5,
                "worker_id": "w",
                "trial_id": "0",
                "param_name": "x",
                "param_value_internal": 1,
                "distribution": "{}",
            },
            "has 'trial_id' = \"0\"",
        ),
        ({"op_code": 7, "worker_id": "w", "trial_id": 0, "step": 1}, "lacks 'intermediate_value'"),
        ({"op_code": 2, "worker_id": "w", "study_id": 0, "user_attr": 5}, "has 'user_attr' = 5"),
        ({"op_code": 0, "worker_id": "w", "study_name": "x", "directions": ["min"]}, "has 'directions'"),
        ([1, 2, 3], "it is a JSON list, not an object"),
        ({"op_code": 0, "worker_id": "w", "study_name": "search 1", "directions": [1]}, None),  # a duplicate: fine
    ],
)
def test_a_line_the_app_did_not_write_is_refused_with_its_number(tmp_path, journal_bytes, line, problem) -> None:
    path = tmp_path / "j.search.jsonl"
    path.write_bytes(journal_bytes + json.dumps(line).encode() + b"\n")
    number = journal_bytes.count(b"\n") + 1
    if problem is None:
        usable(path)
        return
    with pytest.raises(BadJournal) as refused:
        usable(path)
    text = str(refused.value)
    assert f"Line {number} of the search journal {path} cannot be used" in text and problem in text
    assert "Move" in text and "--new-study" in text
    assert path.read_bytes() == journal_bytes + json.dumps(line).encode() + b"\n"  # refused, never rewritten


@pytest.mark.parametrize(
    ("tail", "problem"),
    [
        (b'{"op_code": 4, "worker_id": "w", "study_id": 0, "datetime_sta\n', "it is not JSON"),  # cut mid-line
        (b"\n", "it is empty"),
        (b"[" * 200_000 + b"]" * 200_000 + b"\n", "nested too deep"),
        (b'{"op_code": 2, "worker_id": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}\n', "longer than 1 MB"),
        (b"\xff\xfe\n", "it is not JSON"),
    ],
)
def test_a_damaged_line_is_refused_not_used(tmp_path, journal_bytes, tail, problem) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(journal_bytes + tail + journal_bytes.splitlines(keepends=True)[-1])  # not the last line
    with pytest.raises(BadJournal, match=problem):
        check_journal(path)


def test_a_partial_last_line_is_cut_with_a_warning_and_the_rest_kept(tmp_path, journal_bytes) -> None:
    lines = journal_bytes.splitlines(keepends=True)
    last_start = len(journal_bytes) - len(lines[-1])
    for cut in (last_start + 1, last_start + len(lines[-1]) // 2, len(journal_bytes) - 1):
        path = tmp_path / f"cut{cut}.jsonl"
        path.write_bytes(journal_bytes[:cut])
        warnings: list[str] = []
        storage = open_storage(path, warnings.append)
        assert len(warnings) == 1 and "ended in a partial line" in warnings[0]
        assert path.read_bytes() == journal_bytes[:last_start]
        assert [s.study_name for s in storage.get_all_studies()] == ["search 1"]


def test_a_kill_while_writing_leaves_at_most_one_partial_line(tmp_path) -> None:
    path = tmp_path / "killed.jsonl"
    writer = (
        "import sys\n"
        "from pathlib import Path\n"
        "from lstm_desktop.core.search.journal import WholeLines, _lock\n"
        "backend = WholeLines(Path(sys.argv[1]), _lock(Path(sys.argv[1])))\n"
        "print('ready', flush=True)\n"
        "n = 0\n"
        "while True:\n"
        "    n += 1\n"
        "    backend.append_logs([{'op_code': 2, 'worker_id': 'w', 'study_id': 0, 'user_attr': {'k': 'x' * 200_000}}]"
        " * 3)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", writer, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    data = path.read_bytes()
    whole = data[: data.rfind(b"\n") + 1]
    assert all(json.loads(line)["op_code"] == 2 for line in whole.splitlines())  # every whole line reads
    assert check_journal(path) in (None, len(whole))  # nothing but, at most, one partial last line


def test_new_study_moves_an_unusable_journal_aside_and_keeps_it(tmp_path, journal_bytes) -> None:
    path = tmp_path / "p.search.jsonl"
    damaged = journal_bytes + b'{"op_code": 99, "worker_id": "w"}\n'
    path.write_bytes(damaged)
    warnings: list[str] = []
    storage = open_storage(path, warnings.append, fresh=True)
    asides = list(tmp_path.glob("p.search.jsonl.*.aside"))
    assert len(asides) == 1 and asides[0].read_bytes() == damaged
    assert "moved aside" in warnings[0] and storage.get_all_studies() == []
    study = new_study(storage, None, {}, runs=["search 1, trial 0", "search 2, trial 3", "run 4"])
    assert study.study_name == "search 3"  # never the name of runs the project holds


MUTATIONS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True),
    st.text(max_size=30), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
    max_size=2),
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, database=None, derandomize=True,  # the same cases every run
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)  # fmt: skip
@given(data=st.data())
def test_any_damaged_journal_opens_or_is_refused_naming_its_line(tmp_path_factory, journal_bytes, data) -> None:
    lines = [json.loads(line) for line in journal_bytes.splitlines()]
    where = data.draw(st.integers(0, len(lines) - 1), label="line")
    line = dict(lines[where])
    kind = data.draw(st.sampled_from(["set", "drop", "op", "cut"]), label="kind")
    if kind == "set":
        line[data.draw(st.sampled_from(sorted(line)), label="key")] = data.draw(MUTATIONS, label="value")
    elif kind == "drop":
        line.pop(data.draw(st.sampled_from(sorted(line)), label="key"))
    elif kind == "op":
        line["op_code"] = data.draw(st.integers(-3, 14), label="op")
    text = json.dumps(line).encode()
    if kind == "cut":
        text = text[: data.draw(st.integers(0, len(text) - 1), label="cut")]
    body = [json.dumps(x).encode() for x in lines]
    body[where] = text
    path = tmp_path_factory.mktemp("fuzz") / "j.jsonl"
    path.write_bytes(b"\n".join(body) + b"\n")
    try:
        usable(path)
    except BadJournal as exc:
        assert "of the search journal" in str(exc) and "--new-study" in str(exc)
        assert str(exc).startswith("Line ") or "cannot be replayed" in str(exc)
