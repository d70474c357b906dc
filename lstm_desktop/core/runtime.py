"""Process-wide settings, applied by the entry points (app, CLI, bench, worker processes), never by core work:
glibc's allocator, torch's thread count, one thread for numpy's BLAS, and the interpreter's thread switching and
garbage collector for a process whose GUI thread must answer while a worker thread computes.

Threads are fixed for a whole run: torch's LSTM backward sums its weight gradients in an order that depends on
the thread count, so changing it while training (say, to step aside for another program) would make the same
settings and seed give different results. Automatic means half the cores (at most 4), the same on every run.
"""

from __future__ import annotations

import ctypes
import gc
import os
import sys
import time

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_M_ARENA_MAX = -8
_tuned = False
GUI_SWITCH_INTERVAL_S = 0.0005


def tune_allocator() -> bool:
    """Keep freed memory in glibc's heap instead of returning it to the system (Linux only).

    oneDNN's LSTM kernel allocates multi-MB buffers on every call; by default glibc unmaps them and the pages
    fault in again each time. Stopping mmap for large blocks and raising the trim threshold removes most of
    that cost. Every thread shares the main arena: a thread's own arena ignores both settings, so training in
    a worker thread faulted its pages in again (10x the page faults, 1.4-1.6x slower than in the main thread).
    Call it at start-up, before other threads exist. Returns True when applied. Other systems run unchanged.
    """
    global _tuned
    if _tuned:
        return True
    if not sys.platform.startswith("linux") or os.environ.get("LSTM_DESKTOP_NO_MALLOPT"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = all(
            libc.mallopt(option, value) == 1
            for option, value in ((_M_ARENA_MAX, 1), (_M_MMAP_MAX, 0), (_M_TRIM_THRESHOLD, 1 << 30))
        )
    except (OSError, AttributeError):
        return False
    _tuned = ok
    return ok


BLAS_ENV = ("OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")  # numpy's BLAS in its wheels (torch's MKL is apart)


def pin_blas_threads() -> None:
    """numpy's BLAS (OpenBLAS in its wheels, Accelerate on macOS) on one thread in this process and the processes it
    starts. Its threaded products split their sums by thread, so the ridge baseline's coefficients differed in the
    last bits between a process with two BLAS threads and one with one (the window against a worker); and on a
    busy 2-core machine two BLAS threads made a 2200×100 product 100 times slower (0.6 ms against 98). The app's
    own matrices are small: one thread loses nothing. Environment variables reach libraries loaded later and child
    processes; threadpoolctl limits the ones already loaded (numpy imported before this call)."""
    for name in BLAS_ENV:
        os.environ[name] = "1"
    if "numpy" in sys.modules:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1, user_api="blas")


def default_threads() -> int:
    """Threads for training when the user sets none: half the cores, at least 1, at most 4.

    torch's threads wait for each other at every time step of the LSTM, so a run with as many threads as cores
    collapses as soon as any other program wants a core (on a 2-core machine with one busy program, 2 threads
    took 5.1 s an epoch and 1 thread 2.0; with the tests of two other sessions running, 2 threads took 82 s).
    Half the cores leaves room for the rest of the desktop; the count may not follow the load during a run (see
    the module docstring), so it is fixed from the machine alone."""
    return max(1, min(4, (os.cpu_count() or 1) // 2))


def set_threads(threads: int) -> int:
    """Use `threads` torch threads (0: automatic) from now on; returns the count."""
    import torch

    count = threads if threads > 0 else default_threads()
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
    return count


def tune_interpreter_for_gui() -> None:
    """Let the GUI thread have the interpreter lock within half a millisecond of asking for it.

    A worker thread running Python (assessment, ridge fits, JSON) keeps the lock until another thread has waited
    the switch interval (5 ms by default), and the GUI thread asks again for every Python callback Qt makes (each
    slot, each pyqtgraph paint): a repaint waited 5 ms many times over. Results do not depend on it; a worker
    alone is never interrupted (the interval only matters while another thread waits)."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    global _HAND_OVER_EVERY_S
    _HAND_OVER_EVERY_S = GUI_HAND_OVER_EVERY_S


GUI_HAND_OVER_EVERY_S = 0.004
HAND_OVER_PAUSE_S = 0.0001
_HAND_OVER_EVERY_S: float | None = None  # None: no other thread is waiting for answers (the CLI, a worker process)


class LockHandOver:
    """Called on every turn of a long Python loop that makes many short numpy calls: in the window's process it
    sleeps a tenth of a millisecond every 4 ms, so a waiting GUI thread gets the interpreter lock.

    Why: each short numpy call (fancy indexing, a cast) lets go of the lock and takes it back within microseconds.
    A thread waiting for the lock asks the holder to let go only when no switch happened during its interval, and
    those self-switches count as switches, so it waited for a whole loop: the sequential band held the GUI thread
    of the window 180-440 ms while a run's assessment ran (the "convoy effect" of CPython's lock). A real pause
    hands the lock over. Outside the window's process it does nothing; results never depend on it."""

    __slots__ = ("every", "last")

    def __init__(self) -> None:
        self.every = _HAND_OVER_EVERY_S
        self.last = time.perf_counter()

    def __call__(self) -> None:
        if self.every is None:
            return
        now = time.perf_counter()
        if now - self.last >= self.every:
            time.sleep(HAND_OVER_PAUSE_S)
            self.last = time.perf_counter()


def freeze_startup_objects() -> None:
    """Move every object that exists now (the modules imported at start-up: torch, pandas, Qt, pyqtgraph) out of
    the garbage collector's reach.

    A full collection walks every tracked object while holding the interpreter lock; with torch and pandas
    loaded that was 250,000 objects and up to 190 ms, and it ran in whichever thread allocated at the time (a
    worker's assessment), so the GUI thread waited for it. Objects made later are collected as before; the frozen
    ones are module-level and live as long as the process. Call it once the heavy imports are done."""
    gc.freeze()


BACKGROUND_NICENESS = 10  # CPU weight 110 against a normal thread's 1024 (Linux): the window's thread comes first
_workers_in_background = False  # True in the window's process: its local worker processes yield to the window


def put_workers_in_background() -> None:
    """This process's local worker processes will run below it (the window's: see run_in_background). The command
    line leaves its workers at its own priority: there is no window to answer, and a person who wants a job to
    yield runs it under `nice`."""
    global _workers_in_background
    _workers_in_background = True


def workers_in_background() -> bool:
    return _workers_in_background


def run_in_background() -> bool:
    """Lower this worker process's CPU priority to its parent's plus BACKGROUND_NICENESS (before its threads exist;
    they inherit it).

    Background work yields the CPU to what a person is doing: on two cores, two worker processes training at
    normal priority kept the window's GUI thread waiting for a CPU for tens of milliseconds at a time. The target is
    absolute, from the parent's main thread (on Linux, the GUI thread): a process spawned from the window's lowered
    worker thread starts lowered already, and adding to that would reach 19, where a backtest crawls behind
    anything else on the machine. Results never depend on it (only when a thread runs changes, not what it
    computes). Returns True when applied."""
    try:
        if sys.platform == "win32":
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            below_normal = 0x4000
            return bool(kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), below_normal))
        target = min(19, os.getpriority(os.PRIO_PROCESS, os.getppid()) + BACKGROUND_NICENESS)
        if os.getpriority(os.PRIO_PROCESS, 0) < target:
            os.setpriority(os.PRIO_PROCESS, 0, target)
        return True
    except (OSError, AttributeError):
        return False


def run_thread_in_background() -> bool:
    """Lower the CPU priority of the calling thread only (the window's worker thread, which trains in the window's
    process), and of the threads it starts later (torch's OpenMP team is made by the first thread that needs it,
    and inherits its priority). Linux only: elsewhere a nice value belongs to the whole process, and the window
    asks Qt for a low thread priority instead. Returns True when applied."""
    if not sys.platform.startswith("linux"):
        return False
    import threading

    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + BACKGROUND_NICENESS)
        return True
    except OSError:
        return False
