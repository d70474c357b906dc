"""Which executor runs a set of items, from what the user asked: local worker processes (the default), a local Dask
cluster ("local", mostly for trying Dask out), or the Dask scheduler at an address."""

from __future__ import annotations

import os
from typing import Any

from .book import Executor


def worker_count(requested: int, threads: int, items: int) -> int:
    """Local workers: as asked, else one per `threads` cores (workers × threads ≤ cores); never more than items."""
    cores = os.cpu_count() or 1
    workers = requested or max(1, cores // max(1, threads))
    return max(1, min(workers, max(1, items)))


def executor_for(
    workers: int, threads: int, scheduler: str | None = None, tls: Any = None, items: int | None = None,
    connect_seconds: float = 30.0,
) -> Executor:  # fmt: skip
    """An executor for `items` items of `threads` torch threads each (nothing is started until it is used); a
    cluster's every connection has `connect_seconds` to succeed."""
    if scheduler is None:
        from .local import LocalExecutor

        return LocalExecutor(worker_count(workers, threads, items or 1_000_000), threads)
    from .cluster import DaskExecutor

    if scheduler.strip().lower() == "local":
        return DaskExecutor(None, worker_count(workers, threads, items or 1_000_000), threads, None, connect_seconds)
    return DaskExecutor(scheduler, workers, threads, tls, connect_seconds)
