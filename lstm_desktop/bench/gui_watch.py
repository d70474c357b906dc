"""How late the GUI thread answers, and what held it: a 10 ms timer on the GUI thread, and a watchdog thread that
samples the GUI thread's Python stack whenever the timer is overdue.

The timer records each tick's lateness (how long the thread was held beyond its 10 ms period). The watchdog wakes
every `SAMPLE_MS`; while the last tick is older than `STALE_MS` it takes the GUI thread's stack
(`sys._current_frames`). Each late tick is then blamed on the stacks sampled while it was overdue: its lateness is
shared out over its samples, and each sample is named by the innermost frame of lstm_desktop's own code (the step a
maintainer can change) and the innermost frame of any code (where the time went). Python that Qt called from its
loop with none of our code on the stack (pyqtgraph painting its items) is "Qt painting and layout"; a sample with
no Python beneath the event loop is "event loop (Qt C++ or waiting for the GIL)"; a stall the watchdog could not
sample at all (it waited for the lock too) is "(not sampled)", and while the watchdog waited for the lock it also
notes what the other threads were doing ("GIL held by another thread"). The GUI thread's CPU and run-queue time
(Linux schedstat) split each stall: its own work, waiting for a CPU (a busy machine), waiting for the lock or I/O.
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time
from dataclasses import dataclass, field

import numpy as np

PERIOD_MS = 10
STALE_MS = 14  # a tick this overdue (the period plus 4 ms) is being held: sample what the GUI thread is doing
SAMPLE_MS = 2
GIL_WAIT_MS = 8  # the watchdog's own sleep overshooting by this much: it waited for the interpreter lock
LATE_MS = 6  # a tick later than this is a stall worth naming
OWN = os.sep + "lstm_desktop" + os.sep
NOT_STEPS = ("bench" + os.sep, "self_test.py")  # the bench's own frames (its event loop, its driver) are no step
EVENT_LOOP = "event loop (Qt C++ or waiting for the GIL)"
PAINTING = "Qt painting and layout (pyqtgraph items)"  # Python that Qt called from its loop, none of it ours
# a thread whose innermost frame is one of these waits in C with the lock released: it is not the one holding it
WAITING = ("selectors.py:select", "threading.py:wait", "connection.py:_recv", "connection.py:wait", "queue.py:get")


def _frame_name(filename: str, function: str, line: int) -> str:
    if OWN in filename:
        module = filename.split(OWN, 1)[1].removesuffix(".py").replace(os.sep, ".")
        return f"{module}.{function}"
    return f"{os.path.basename(filename)}:{function}:{line}"


def _stack(frame: object, depth: int = 60) -> tuple[tuple[str, str, int], ...]:
    """(file, function, line) from the outermost frame to the innermost."""
    frames = []
    while frame is not None and len(frames) < depth:
        code = frame.f_code
        frames.append((code.co_filename, code.co_name, frame.f_lineno))
        frame = frame.f_back
    return tuple(reversed(frames))


def _waiting(stack: tuple[tuple[str, str, int], ...]) -> bool:
    if not stack:
        return True
    filename, function, _ = stack[-1]
    return f"{os.path.basename(filename)}:{function}" in WAITING


def step_of(stack: tuple[tuple[str, str, int], ...]) -> tuple[str, str]:
    """(our innermost step, the innermost frame) of a sampled stack."""
    if stack and stack[0][0] == "(GIL held by another thread)":
        return "GIL held by another thread", " < ".join(_frame_name(*f) for f in reversed(stack[1:]))
    own = [f for f in stack if OWN in f[0] and not any(part in f[0] for part in NOT_STEPS)]
    if not own:
        if stack and f"{os.sep}pyqtgraph{os.sep}" in stack[-1][0]:
            return PAINTING, _frame_name(*stack[-1])
        return EVENT_LOOP, _frame_name(*stack[-1]) if stack else "?"
    return _frame_name(*own[-1]), _frame_name(*stack[-1])


@dataclass
class Stall:
    """One late tick: when (seconds from the start), how late (ms), and the steps sampled while it was overdue.
    Of its gap, `cpu_ms` the GUI thread ran on a CPU (our work on the GUI thread), `queued_ms` it was ready but
    waited for a CPU (the machine was busy), `blocked_ms` the rest beyond the timer's period (it waited, mostly
    for the interpreter lock another thread held)."""

    at: float
    late_ms: float
    cpu_ms: float = 0.0
    queued_ms: float = 0.0
    blocked_ms: float = 0.0
    steps: list[tuple[str, str]] = field(default_factory=list)


class GuiWatch:
    """Start it on the GUI thread before the work, stop it after; then `figures()`."""

    def __init__(self, sample: bool = True) -> None:
        """`sample=False`: the timer alone, no watchdog. The watchdog takes the interpreter lock every SAMPLE_MS
        and so changes what it measures a little: a thread waiting for the lock forces a switch only if no other
        thread took it meanwhile, so frequent wake-ups can delay the GUI thread's turn behind a busy worker."""
        from PySide6.QtCore import QTimer

        self.sample = sample
        self.gui_thread = threading.get_ident()
        self._stat_path = f"/proc/self/task/{threading.get_native_id()}/schedstat"
        self.sched: list[tuple[float, float]] = []
        self.ticks: list[float] = []  # perf_counter of each tick
        self.marks: list[tuple[float, str]] = []  # phases of the job (start, epochs, landing)
        self._samples: collections.deque = collections.deque()  # (perf_counter, stack)
        self._last = time.perf_counter()
        self._running = False
        self._thread: threading.Thread | None = None
        self.timer = QTimer()
        self.timer.setInterval(PERIOD_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self._last = time.perf_counter()
        self.ticks.append(self._last)
        self.sched.append(self._schedstat())

    def _schedstat(self) -> tuple[float, float]:
        """The GUI thread's time on a CPU and waiting for one (ms, since it started; Linux, else zeros)."""
        try:
            with open(self._stat_path, "rb") as stat:
                run, wait, _ = stat.read().split()
        except (OSError, ValueError):
            return 0.0, 0.0
        return int(run) / 1e6, int(wait) / 1e6

    def mark(self, phase: str) -> None:
        """From now on the ticks belong to `phase` (until the next mark)."""
        self.marks.append((time.perf_counter(), phase))

    def _watch(self) -> None:
        while self._running:
            asleep = time.perf_counter()
            time.sleep(SAMPLE_MS / 1000)
            now = time.perf_counter()
            if (now - self._last) * 1000 <= STALE_MS:
                continue
            frames = sys._current_frames()
            if (now - asleep) * 1000 > SAMPLE_MS + GIL_WAIT_MS:
                # this thread waited for the interpreter lock: another thread held it (in C code that keeps it);
                # what that thread is doing now is where it just was
                for ident, frame in frames.items():
                    stack = _stack(frame)
                    if ident in (self.gui_thread, threading.get_ident()) or _waiting(stack):
                        continue
                    self._samples.append((now, (("(GIL held by another thread)", "", 0), *stack[-3:])))
            frame = frames.get(self.gui_thread)
            if frame is not None:
                self._samples.append((now, _stack(frame)))

    def start(self) -> None:
        self.started = time.perf_counter()
        self._last = self.started
        self.ticks = [self.started]
        self.sched = [self._schedstat()]
        self.marks = [(self.started, "start")]
        self._running = True
        if self.sample:
            self._thread = threading.Thread(target=self._watch, name="gui-watchdog", daemon=True)
            self._thread.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self._running = False
        if self._thread is not None:
            self._thread.join()

    # ----- figures -----
    def lateness(self) -> np.ndarray:
        """How late each tick came (ms), beyond its period."""
        gaps = np.diff(np.asarray(self.ticks)) * 1000 - PERIOD_MS
        return np.maximum(gaps, 0.0)

    def stalls(self) -> list[Stall]:
        samples = list(self._samples)
        stalls = []
        sched = self.sched
        for index, (before, tick, late) in enumerate(zip(self.ticks[:-1], self.ticks[1:], self.lateness())):
            if late <= LATE_MS:
                continue
            cpu = sched[index + 1][0] - sched[index][0]
            queued = sched[index + 1][1] - sched[index][1]
            blocked = max(0.0, (tick - before) * 1000 - PERIOD_MS - cpu - queued)
            stall = Stall(tick - self.started, float(late), cpu, queued, blocked)
            stall.steps = [step_of(stack) for when, stack in samples if before < when <= tick]
            stalls.append(stall)
        return stalls

    def phase_of(self, at: float) -> str:
        phase = self.marks[0][1]
        for when, name in self.marks:
            if when <= at:
                phase = name
        return phase

    def figures(self, top: int = 6) -> dict:
        """p50, p99 and max lateness overall and per phase; the steps that held the GUI thread longest."""
        late = self.lateness()
        ticks = np.asarray(self.ticks[1:])
        phases: dict[str, list[float]] = {}
        for when, value in zip(ticks, late):
            phases.setdefault(self.phase_of(when), []).append(float(value))
        stalls = self.stalls()
        blame: dict[str, dict] = {}
        for stall in stalls:
            steps = stall.steps or [("(not sampled)", "")]
            share = stall.late_ms / len(steps)
            counted = collections.Counter(step for step, _ in steps)
            for step, inner in steps:
                entry = blame.setdefault(step, {"ms": 0.0, "stalls": 0, "max_ms": 0.0, "inner": collections.Counter()})
                entry["ms"] += share
                entry["inner"][inner] += 1
            for step in counted:
                blame[step]["stalls"] += 1
                blame[step]["max_ms"] = max(blame[step]["max_ms"], stall.late_ms)
        ranked = sorted(blame.items(), key=lambda item: -item[1]["ms"])[:top]
        return {
            "ticks": len(late),
            "seconds": float(ticks[-1] - self.started) if len(ticks) else 0.0,
            "lateness_ms": summary(late),
            "phases": {name: summary(np.asarray(values)) for name, values in phases.items()},
            "stalls_over_16ms": int(np.sum(late > 16)),
            "stall_time_ms": {  # over the stalls later than LATE_MS: where the GUI thread's time went
                "gui_cpu": round(sum(s.cpu_ms for s in stalls), 1),
                "waiting_for_a_cpu": round(sum(s.queued_ms for s in stalls), 1),
                "blocked": round(sum(s.blocked_ms for s in stalls), 1),
            },
            "slowest_steps": [
                {
                    "step": step,
                    "ms": round(entry["ms"], 1),
                    "stalls": entry["stalls"],
                    "worst_stall_ms": round(entry["max_ms"], 1),
                    "inner": [name for name, _ in entry["inner"].most_common(2)],
                }
                for step, entry in ranked
            ],
            "worst_stalls": [
                {
                    "at_s": round(s.at, 2),
                    "phase": self.phase_of(self.started + s.at),
                    "late_ms": round(s.late_ms, 1),
                    "cpu_queued_blocked_ms": [round(s.cpu_ms, 1), round(s.queued_ms, 1), round(s.blocked_ms, 1)],
                    "steps": [name for name, _ in collections.Counter(s.steps).most_common(3)],
                }
                for s in sorted(stalls, key=lambda s: -s.late_ms)[:top]
            ],
        }


def summary(late: np.ndarray) -> dict:
    if not len(late):
        return {"p50": 0.0, "p99": 0.0, "max": 0.0}
    return {
        "p50": float(np.percentile(late, 50)),
        "p99": float(np.percentile(late, 99)),
        "max": float(late.max()),
    }
