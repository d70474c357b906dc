"""A search journal read defensively, before Optuna replays it: Optuna trusts every line (an unknown operation ends
in `AssertionError: Should not reach.`, a wrong type in a TypeError deep in its replay), and a line the app did not
write must end in a message, never a traceback.

Every line must be one JSON object of at most `MAX_LINE_BYTES`, with a known operation and its fields of the types
Optuna writes, and must replay; the first that does not is refused with its line number and what to do. The one
damage a crash leaves (our writer appends whole lines in one write, so a kill mid-write leaves at most a partial
last line, without its newline) is recovered: that line is cut, with a warning. Nothing here touches a project.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import BadInput

MAX_LINE_BYTES = 1 << 20  # our lines are about a kilobyte (the settings); a megabyte is never ours
MAX_JOURNAL_BYTES = 1 << 30  # replaying more would take minutes and gigabytes


class BadJournal(BadInput):
    """A search journal holds a line that cannot be used. Exit code 2."""


def advice(path: Path) -> str:
    return (
        f"Move {path} aside (its studies stay there) or search with --new-study (it moves the file aside and starts "
        "a new journal); the runs in the project are not affected."
    )


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53


def _when(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 64:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _distribution(value: Any) -> bool:
    from optuna.distributions import json_to_distribution

    if not isinstance(value, str):
        return False
    try:
        json_to_distribution(value)
    except Exception:  # any way a stranger's text can fail to be a distribution
        return False
    return True


def _one_attr(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and all(isinstance(k, str) for k in value)


def _states(value: Any) -> bool:
    from optuna.trial import TrialState

    return _count(value) and value in {s.value for s in TrialState}


def _values(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(_number(v) for v in value))


def _directions(value: Any) -> bool:
    return isinstance(value, list) and 0 < len(value) <= 16 and all(v in (0, 1, 2) and _count(v) for v in value)


def _mapping(value: Any, of: Any = None) -> bool:
    return isinstance(value, dict) and (of is None or all(isinstance(k, str) and of(v) for k, v in value.items()))


def _optional(check: Any) -> Any:
    return lambda value: value is None or check(value)


# operation -> (required fields, optional fields), each field with its check; as Optuna 4-5 writes them
STUDY, TRIAL = {"study_id": _count}, {"trial_id": _count}
# fmt: off
OPERATIONS: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {
    0: ({"study_name": lambda v: isinstance(v, str) and 0 < len(v) <= 1000, "directions": _directions}, {}),
    1: (STUDY, {}),
    2: ({**STUDY, "user_attr": _one_attr}, {}),
    3: ({**STUDY, "system_attr": _one_attr}, {}),
    4: (
        {**STUDY, "datetime_start": _optional(_when)},
        {
            "state": _states, "value": _optional(_number), "values": _values, "datetime_complete": _when,
            "distributions": lambda v: _mapping(v, _distribution), "params": lambda v: _mapping(v, _number),
            "user_attrs": _mapping, "system_attrs": _mapping,
            "intermediate_values": lambda v: _mapping(v, _number) and all(k.lstrip("-").isdigit() for k in v),
        },
    ),
    5: ({**TRIAL, "param_name": lambda v: isinstance(v, str), "param_value_internal": _number,
         "distribution": _distribution}, {}),
    6: ({**TRIAL, "state": _states, "values": _values}, {"datetime_start": _when, "datetime_complete": _when}),
    7: ({**TRIAL, "step": _count, "intermediate_value": _number}, {}),
    8: ({**TRIAL, "user_attr": _one_attr}, {}),
    9: ({**TRIAL, "system_attr": _one_attr}, {}),
    10: ({}, {}),  # "discard trials": written by Rustuna, ignored by Optuna
}
# fmt: on
NAMES = {
    0: "create study",
    1: "delete study",
    2: "study attribute",
    3: "study system attribute",
    4: "create trial",
    5: "trial parameter",
    6: "trial state",
    7: "trial epoch value",
    8: "trial attribute",
    9: "trial system attribute",
    10: "discard trials",
}  # fmt: skip


def line_problem(log: Any) -> str | None:
    """What is wrong with one parsed line, in words; None when Optuna can use it."""
    if not isinstance(log, dict):
        return f"it is a JSON {type(log).__name__}, not an object"
    op = log.get("op_code")
    if not _count(op) or op not in OPERATIONS:
        return f"its operation {op!r} is not one Optuna writes (0 to 10)"
    if not isinstance(log.get("worker_id"), str):
        return "it names no worker (worker_id)"
    required, optional = OPERATIONS[op]
    for name, check in required.items():
        if name not in log:
            return f"its {NAMES[op]} operation lacks {name!r}"
        if not check(log[name]):
            return f"its {NAMES[op]} operation has {name!r} = {_short(log[name])}, not a value Optuna writes there"
    for name, check in optional.items():
        if name in log and not check(log[name]):
            return f"its {NAMES[op]} operation has {name!r} = {_short(log[name])}, not a value Optuna writes there"
    if op == 6 and log["state"] == 0 and "datetime_start" not in log:
        return "it sets a trial running without its start time"
    if op == 6 and log["state"] in (1, 2, 3) and "datetime_complete" not in log:
        return "it ends a trial without its end time"
    if op == 4 and set(log.get("params") or {}) - set(log.get("distributions") or {}):
        return "it gives a trial a parameter without its distribution"
    return None


def _short(value: Any) -> str:
    text = json.dumps(value, allow_nan=True)
    return text if len(text) <= 40 else text[:37] + "..."


def _parse(raw: bytes) -> Any:
    def constant(name: str) -> float:  # NaN and infinities, as Python's json writes them
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]

    return json.loads(raw, parse_constant=constant)


def check_journal(path: Path) -> int | None:
    """Check every line of the journal at `path`; the byte offset of a partial last line (to cut), else None.
    Raises BadJournal naming the first line that cannot be used and what to do."""
    from optuna.storages.journal._storage import JournalStorageReplayResult

    size = path.stat().st_size
    if size > MAX_JOURNAL_BYTES:
        raise BadJournal(f"The search journal {path} is {size / 2**20:,.0f} MB; at most {MAX_JOURNAL_BYTES >> 20} MB "
                         f"can be replayed. {advice(path)}")  # fmt: skip
    replay = JournalStorageReplayResult("lstm-desktop-check-")
    offset, number = 0, 0
    with path.open("rb") as handle:
        while raw := handle.readline(MAX_LINE_BYTES + 1):
            number += 1
            if not raw.endswith(b"\n"):
                if len(raw) > MAX_LINE_BYTES:
                    too_long = f"is longer than {MAX_LINE_BYTES >> 20} MB: not a line this app writes"
                    raise BadJournal(f"Line {number} of the search journal {path} {too_long}. {advice(path)}")
                return offset  # the partial last line a kill mid-write leaves
            problem = _problem(raw, replay)
            if problem is not None:
                raise BadJournal(f"Line {number} of the search journal {path} cannot be used: {problem}. "
                                 f"{advice(path)}")  # fmt: skip
            offset += len(raw)
    return None


def _problem(raw: bytes, replay: Any) -> str | None:
    if not raw.strip():
        return "it is empty"
    try:
        log = _parse(raw)
    except RecursionError:
        return "it is nested too deep"
    except ValueError as exc:  # not JSON, or not UTF-8
        return f"it is not JSON ({exc})"
    problem = line_problem(log)
    if problem is not None:
        return problem
    try:
        replay.apply_logs([log])
    except Exception as exc:  # Optuna's own replay refused it: name how
        return f"Optuna cannot replay it ({type(exc).__name__}: {exc})"
    return None
