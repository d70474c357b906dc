"""Items on a Dask cluster: the same interface and the same results as the local executor.

Dask is an optional extra, imported only here and only when a cluster is asked for. A cluster runs whatever code
its clients send, so it belongs on a trusted network; beyond one machine use TLS (`tls://` addresses with a CA,
a client certificate and its key). Before anything is sent the workers are checked to run the same lstm-desktop
and torch as this process (a worker without the package does not fail: it hangs, dask/distributed#1341).

A died worker's item runs once more and then fails, as locally. Dask's own count (`allowed_failures`) also counts
a task that was only queued on a worker that died, so the parent counts for itself the attempts that began (each
announces itself) and stops a third; the scheduler's count stays a backstop (4 here, Dask's default 3 remote).
Results are taken as soon as they arrive and the futures released at once, so a later worker death cannot make
the cluster silently compute a finished item again.
"""

from __future__ import annotations

import contextlib
import os
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from ..errors import BadInput
from .book import RETRIES, Book, Items, Nesting, OnOutcome, OnProgress
from .cluster_checks import TlsFiles, check_address, preflight
from .cluster_probe import DEFAULT_CONNECT_SECONDS, probe
from .cluster_worker import START, cluster_entry, names
from .items import DIED_TWICE, NOT_STARTED, ClusterUnavailable, ItemFailed, Outcome
from .wire import event_from_wire

POLL_SECONDS = 0.1
FIRST_PAUSE = 0.02
SCHEDULER_FAILURES = 4  # deaths the scheduler allows a task, innocent ones included; ours (RETRIES) come first
# glibc's allocator set as core/runtime.tune_allocator sets it, from the environment a worker process starts with
# (before Dask starts its threads: a thread's own arena ignores mallopt). Dask's default gives its workers
# MALLOC_TRIM_THRESHOLD_=65536, which hands freed pages back at once: the LSTM's buffers then fault in again on
# every call, and training in a Dask worker ran at half the speed of a local worker (docs/scaling.md).
ALLOCATOR_ENV = {"MALLOC_ARENA_MAX": 1, "MALLOC_MMAP_MAX_": 0, "MALLOC_TRIM_THRESHOLD_": 1 << 30}
INSTALL = 'Dask is not installed: pip install "lstm-desktop[cluster]"'
SECURITY_NOTE = (
    "A Dask cluster runs any code its clients send: connect only to a cluster you control on a trusted network; "
    "beyond one machine use tls:// with certificates (or an SSH tunnel), never expose its port to the internet."
)


FROZEN_INSTALL = (
    "This bundled app has no Dask (it keeps the download small): to use a Dask cluster, install the app with "
    'pip install "lstm-desktop[cluster]"'
)


def import_distributed() -> Any:
    import sys

    try:
        import distributed
    except ImportError as exc:
        raise ClusterUnavailable(FROZEN_INSTALL if getattr(sys, "frozen", False) else INSTALL) from exc
    return distributed


class DaskExecutor(Nesting):
    """Runs items on the Dask scheduler at `address`, or on a local cluster of `workers` processes started here
    (address None). Each item uses `threads` torch threads; run cluster workers with one thread each."""

    def __init__(
        self, address: str | None = None, workers: int = 0, threads: int = 1, tls: TlsFiles | None = None,
        connect_seconds: float = DEFAULT_CONNECT_SECONDS,
    ) -> None:  # fmt: skip
        self.address = None if address is None else check_address(address, tls)
        self.tls = tls
        self.connect_seconds = connect_seconds
        self._deadlines: Any = None
        self.workers = workers or max(1, (os.cpu_count() or 1) // max(1, threads))
        self.threads = max(1, threads)
        self.client: Any = None
        self._cluster: Any = None
        self._book: Book | None = None
        self._run_id = ""

    def _open(self) -> None:
        """Connect under the deadline: a probe first (Dask's own handshake waits forever on a peer that is not
        Dask), then the client, its checks, and for the executor's life comm deadlines that find a lost scheduler."""
        import dask

        distributed = import_distributed()
        seconds = self.connect_seconds
        security = self._security(distributed)
        if self.address is not None:
            probe(self.address, security, seconds)
        # a silent peer is found out after `tcp` seconds (TCP keep-alive: 10 probes, so Dask wants at least 11)
        deadlines = {"distributed.comm.timeouts.connect": seconds, "distributed.comm.timeouts.tcp": max(seconds, 11)}
        self._deadlines = dask.config.set(deadlines)
        try:
            if self.address is None:
                self._cluster = self._local_cluster(distributed)
            target = self._cluster or self.address
            self.client = distributed.Client(target, security=security, timeout=seconds, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            self._close()
            raise ClusterUnavailable(f"Cannot reach the Dask scheduler at {self.address}: {exc}") from exc
        try:
            self.workers = preflight(self.client, seconds)
        except BaseException:
            self._close()
            raise

    def _local_cluster(self, distributed: Any) -> Any:
        import dask

        environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ")) | ALLOCATOR_ENV
        quiet = {"distributed.nanny.pre-spawn-environ": environ, "distributed.worker.profile.enabled": False}
        with dask.config.set(quiet):
            return self._start_local_cluster(distributed)

    def _start_local_cluster(self, distributed: Any) -> Any:
        return distributed.LocalCluster(
            n_workers=self.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,  # else an HTTP server on every interface
            scheduler_kwargs={"allowed_failures": SCHEDULER_FAILURES},
            silence_logs=40,  # errors only: a restarted worker is ours to report
        )

    def _security(self, distributed: Any) -> Any:
        if self.tls is None:
            return None
        for path in (self.tls.ca, self.tls.cert, self.tls.key):
            if not os.path.isfile(path):
                raise BadInput(f"TLS file {path} does not exist.")
        return distributed.Security(
            tls_ca_file=self.tls.ca, tls_client_cert=self.tls.cert, tls_client_key=self.tls.key, require_encryption=True
        )

    def _close(self) -> None:
        for closing in (self.client, self._cluster):
            if closing is not None:
                with contextlib.suppress(Exception):  # a cluster already gone has nothing left to close
                    closing.close(timeout=self.connect_seconds)
        self.client = self._cluster = None
        if self._deadlines is not None:
            self._deadlines.__exit__(None, None, None)
            self._deadlines = None

    def stop_item(self, index: int) -> None:
        if self._book is not None and not self._book.stop_item(index):
            self._event(names(self._run_id, index)["stop_item"]).set()

    def _event(self, name: str) -> Any:
        from distributed import Event

        return Event(name, client=self.client)

    def run(
        self,
        items: Items,
        on_outcome: OnOutcome,
        on_progress: OnProgress | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        """Call `on_outcome` once per item, in the order they end; at most one item per worker slot is sent at a
        time, so a stop never has to cancel work a worker already began."""
        with self:
            self._book = book = Book(len(items))
            self._run_id = f"lstm-{uuid.uuid4().hex[:12]}"
            try:
                _Run(self, items, book, on_outcome, on_progress, should_stop).loop()
            except (OSError, TimeoutError) as exc:  # CommClosedError is an OSError: the scheduler went away
                where = self.address or "the local Dask cluster"
                cause = str(exc) or type(exc).__name__
                raise ClusterUnavailable(f"Lost the Dask scheduler at {where} mid-way: {cause}") from exc
            finally:
                self._book = None


class _Run:
    """One `run` on the cluster: submitting, progress and acknowledgements, ends."""

    def __init__(self, owner: DaskExecutor, items: Items, book: Book, on_outcome: OnOutcome, on_progress, should_stop):
        from distributed import Queue

        self.owner, self.items, self.book = owner, items, book
        self.on_outcome, self.on_progress, self.should_stop = on_outcome, on_progress, should_stop
        self.client = owner.client
        self.named = names(owner._run_id)
        self.progress = Queue(self.named["progress"], client=self.client)
        self.acks: dict[int, Any] = {}
        self.running: dict[Any, int] = {}
        self.stopped = False
        self.pause = FIRST_PAUSE
        self.attempts: dict[int, set[str]] = {}
        self.died_twice: set[int] = set()

    def loop(self) -> None:
        try:
            while True:
                if not self.stopped and self.should_stop():
                    self.stopped = True
                    self.owner._event(self.named["stop"]).set()
                    self.book.stop_pending()
                self.book.flush(self.on_outcome, "stopped before it started")
                self._submit()
                if not self.running and not self.book.waiting:
                    return
                self._read_progress()
                for future in [f for f in self.running if f.done()]:
                    self._end(future, self.running.pop(future))
        finally:
            for future in self.running:
                future.cancel()
            for queue in [self.progress, *self.acks.values()]:
                queue.close()

    def _submit(self) -> None:
        while self.book.waiting and len(self.running) < self.owner.workers:
            index = self.book.next()
            fn, payload = self.items[index]
            future = self.client.submit(
                cluster_entry, fn, index, payload, self.owner._run_id, self.owner.threads, pure=False, retries=0
            )
            self.running[future] = index

    def _read_progress(self) -> None:
        """Handle what the workers sent; when nothing came, wait a little longer each time (up to POLL_SECONDS),
        polling rather than blocking: a blocking get that times out is logged as an error by the scheduler."""
        messages = self.progress.get(batch=True)
        if not messages:
            time.sleep(self.pause)
            self.pause = min(POLL_SECONDS, self.pause * 1.5)
            return
        self.pause = FIRST_PAUSE
        for index, token, seq, blob in messages:
            if seq == START:
                self.attempts.setdefault(index, set()).add(token)
                if len(self.attempts[index]) > RETRIES + 1:
                    self.died_twice.add(index)
            elif self.on_progress is not None:
                self.on_progress(index, event_from_wire(blob))
            if seq:
                stop = index in self.book.stop_asked or index in self.died_twice or self.stopped
                self._ack(index).put([token, seq, stop])

    def _ack(self, index: int) -> Any:
        from distributed import Queue

        if index not in self.acks:
            self.acks[index] = Queue(names(self.owner._run_id, index)["ack"], client=self.client)
        return self.acks[index]

    def _end(self, future: Any, index: int) -> None:
        status = future.status
        if status == "finished":
            result = future.result()
            future.release()
            if index in self.died_twice:
                self.on_outcome(Outcome(index, None, ItemFailed(DIED_TWICE)))
            elif result == NOT_STARTED:
                self.book.unstarted(index)
            else:
                self.on_outcome(Outcome(index, result))
            return
        error = future.exception() if status == "error" else ItemFailed("the cluster cancelled it")
        trace = "".join(traceback.format_tb(future.traceback())) if status == "error" else ""
        future.release()
        if type(error).__name__ == "KilledWorker":
            error = ItemFailed(DIED_TWICE)
        self.on_outcome(Outcome(index, None, error, trace=trace))
