"""Process-wide speed settings for torch on this kind of machine: allocator, threads, device."""

from __future__ import annotations

import ctypes
import math
import os
import sys
import time

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_M_ARENA_MAX = -8
_tuned = False


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


def resolve_device(name: str) -> str:
    """auto -> cuda when available, else cpu. Raises ValueError for an unavailable device."""
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA was asked for, but no CUDA GPU is available; use --device cpu or auto.")
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise ValueError(f"Unknown device {name!r}; choose auto, cpu or cuda.")
    return name


def bfloat16_problem(device: str) -> str | None:
    """Why training in bfloat16 cannot run on `device` (a message for the user), or None when it can.

    GPUs say so themselves. On a CPU the only sure test is to try: oneDNN runs a bfloat16 LSTM only on CPUs
    with AVX-512 (fast with AVX-512 BF16 or AMX) and refuses elsewhere, so a tiny LSTM is run forward and back.
    """
    import torch

    if device.startswith("cuda"):
        if torch.cuda.is_bf16_supported():
            return None
        return "This GPU cannot compute in bfloat16 (it needs an NVIDIA Ampere or newer card). Choose float32."
    try:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            output, _ = torch.nn.LSTM(1, 4, batch_first=True)(torch.zeros(2, 3, 1))
        output.float().sum().backward()
    except RuntimeError:
        return (
            "This CPU cannot train an LSTM in bfloat16 (torch's LSTM kernel needs AVX-512, and is fast only with "
            "AVX-512 BF16 or AMX). Choose float32, or train on a GPU."
        )
    return None


def default_threads() -> int:
    """Threads for training when the user sets none: one per core, at most 4 (more rarely helps an LSTM)."""
    return max(1, min(4, os.cpu_count() or 1))


def set_threads(threads: int) -> int:
    import torch

    count = threads if threads > 0 else default_threads()
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
    return count


def threads_beside(others: float, cores: int, ceiling: int) -> int:
    """Threads that fit beside `others` cores of work by other programs: at least 1, at most `ceiling`."""
    return max(1, min(ceiling, math.floor(cores - others + 0.5)))


class ThreadGovernor:
    """Adapts torch's thread count to other programs while training, when the user left threads automatic.

    torch's OpenMP threads wait for each other at every time step; when another program holds a core, one of
    them keeps being descheduled and the others spin. On the 2-core reference machine with one busy program,
    2 threads took 5.1-6.1 s per epoch and 1 thread 1.9-2.1 s; idle, 2 threads are the faster (1.5 against 2.2).
    About once a second it reads how much CPU time the whole machine spent busy (/proc/stat) minus this
    process's own, and picks the threads that fit beside that load. Linux only; elsewhere it never changes.
    """

    CHECK_SECONDS = 1.0

    def __init__(self, ceiling: int) -> None:
        self.ceiling = ceiling
        self.cores = os.cpu_count() or 1
        self._last = self._sample()
        self._next_check = time.monotonic() + self.CHECK_SECONDS / 2

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        """(wall seconds, CPU seconds the machine spent busy, CPU seconds of this process), or None."""
        try:
            with open("/proc/stat") as stat:
                values = [int(v) for v in stat.readline().split()[1:9]]
        except (OSError, ValueError):
            return None
        if len(values) < 8:
            return None
        busy = sum(values) - values[3] - values[4]  # all but idle and iowait
        own = os.times()
        return time.monotonic(), busy / os.sysconf("SC_CLK_TCK"), own.user + own.system

    def poll(self, current: int) -> int:
        """The thread count to use from now on (cheap to call before every batch)."""
        if self._last is None or time.monotonic() < self._next_check:
            return current
        sample = self._sample()
        if sample is None:
            self._last = None
            return current
        wall = sample[0] - self._last[0]
        others = max(0.0, (sample[1] - self._last[1]) - (sample[2] - self._last[2])) / max(wall, 1e-6)
        self._last = sample
        self._next_check = sample[0] + self.CHECK_SECONDS
        return threads_beside(others, self.cores, self.ceiling)
