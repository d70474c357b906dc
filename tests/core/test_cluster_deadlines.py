"""Every connection to a Dask scheduler has a deadline: a port where a web server listens, a closed port, a Dask
worker given for the scheduler are each named within it (exit 3 from the command line), never a silent hang; a
scheduler lost mid-sweep keeps what finished and says which tickers did not run. Loopback addresses only."""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import socket
import subprocess
import sys
import threading
import time

import pytest

from lstm_desktop.cli import main
from lstm_desktop.core.errors import BadInput
from lstm_desktop.core.executors.cluster_probe import ClusterSpec

pytest.importorskip("distributed")

SWEEP = ["sweep", "--sample", "--ticker", "AAPL", "--ticker", "MSFT", "--epochs", "1", "--window", "10",
         "--layers", "1", "--hidden", "2", "--threads", "1", "--start", "2012-01-01"]  # fmt: skip


@contextlib.contextmanager
def web_server():
    """A plain HTTP server on 127.0.0.1 (any free port): something that listens but does not speak Dask."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"  # nothing listens once the socket is closed


def cli(capsys, *args: str) -> tuple[int, str, float]:
    started = time.monotonic()
    code = main(list(args))
    _, err = capsys.readouterr()
    return code, err, time.monotonic() - started


def test_a_web_server_for_a_scheduler_is_named_within_the_deadline(capsys) -> None:
    with web_server() as address:
        code, err, seconds = cli(capsys, *SWEEP, "--scheduler", address, "--connect-timeout", "2")
    assert code == 3, err
    assert f"{address} answered, but not in Dask's protocol: it is not a Dask scheduler" in err
    assert "no Dask handshake within 2 s" in err and "Traceback" not in err
    assert seconds < 10  # the 2 s deadline holds (never the 120 s seen); loose: a busy machine must not fail it


def test_a_closed_port_is_exit_3_at_once_for_search_too(capsys) -> None:
    address = closed_port()
    code, err, seconds = cli(capsys, *SWEEP, "--scheduler", address, "--connect-timeout", "2")
    assert code == 3 and f"Cannot reach the Dask scheduler at {address}: Connection refused" in err
    search = ["search", "--sample", "AAPL", "--space", "window=10:30", "--trials", "2", "--epochs", "1"]
    code, err, _ = cli(capsys, *search, "--scheduler", address, "--connect-timeout", "2")
    assert code == 3 and f"Cannot reach the Dask scheduler at {address}" in err and seconds < 20


def test_the_deadline_is_a_setting_with_bounds(capsys) -> None:
    assert ClusterSpec().connect_timeout == 30.0
    with pytest.raises(BadInput, match="Connect timeout must be between 0.5 and 3600 s"):
        ClusterSpec(connect_timeout=0.0).validate()
    code, err, _ = cli(capsys, *SWEEP, "--scheduler", closed_port(), "--connect-timeout", "0")
    assert code == 2 and "Connect timeout must be between 0.5 and 3600 s, not 0.0" in err


def test_a_dask_worker_given_for_the_scheduler_is_named() -> None:
    import distributed

    from lstm_desktop.core.executors.cluster import DaskExecutor
    from lstm_desktop.core.executors.items import ClusterUnavailable

    local = {"processes": False, "protocol": "tcp", "host": "127.0.0.1", "dashboard_address": None}
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, **local) as lc:
        worker = next(iter(lc.workers.values())).address
        with pytest.raises(ClusterUnavailable, match="is a Dask Worker, not the scheduler"):
            DaskExecutor(worker, threads=1, connect_seconds=5).__enter__()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def scheduler_and_worker():
    """`dask scheduler` and one `dask worker` (1 thread) as processes on 127.0.0.1, so the scheduler can be killed."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--no-dashboard"], **quiet)  # fmt: skip
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                               "--host", "127.0.0.1", "--no-dashboard", "--no-nanny"], **quiet)  # fmt: skip
    try:
        yield address, scheduler
    finally:
        for process in (worker, scheduler):
            process.kill()
            process.wait(10)


def test_a_scheduler_lost_mid_sweep_keeps_what_finished_and_names_what_did_not_run() -> None:
    import distributed

    from lstm_desktop.core.executors.cluster import DaskExecutor
    from lstm_desktop.core.specs import DataRequest, DatasetSpec, ModelSpec, RunConfig, TrainSpec
    from lstm_desktop.core.sweep.report import TickerEnded
    from lstm_desktop.core.sweep.runner import sweep
    from lstm_desktop.core.sweep.targets import load_targets

    config = RunConfig(
        data=DataRequest(source="sample", start="2012-01-01"),
        dataset=DatasetSpec(window=10),
        model=ModelSpec(layers=1, hidden=2),
        train=TrainSpec(epochs=1, patience=0, threads=1),
        forecast_days=3,
    )
    targets = load_targets(dataclasses.replace(config.data, tickers=("IBM", "AAPL", "MSFT")))
    with scheduler_and_worker() as (address, scheduler):
        deadline = time.monotonic() + 60
        while True:  # the worker has joined
            with contextlib.suppress(OSError, TimeoutError), distributed.Client(address, timeout=5) as client:
                if client.nthreads():
                    break
            assert time.monotonic() < deadline, "the Dask worker did not start"
            time.sleep(0.5)

        def kill_after_the_first(event) -> None:
            if isinstance(event, TickerEnded) and scheduler.poll() is None:
                scheduler.kill()

        started = time.monotonic()
        result = sweep(config, targets, executor=DaskExecutor(address, threads=1, connect_seconds=3),
                       on_event=kill_after_the_first)  # fmt: skip
        seconds = time.monotonic() - started
    assert [name for name, _ in result.runs] == ["sweep IBM"]
    assert "Lost the Dask scheduler at" in str(result.failure) or "Cannot reach" in str(result.failure)
    ibm, aapl, msft = result.report.rows
    assert ibm.error is None and ibm.run == "sweep IBM"
    assert aapl.error.startswith("not run: the sweep ended early") and msft.error.startswith("not run:")
    assert seconds < 60


def certificates(folder) -> tuple[str, str, str]:
    """A certificate authority and one certificate for 127.0.0.1 signed by it (openssl), as PEM files."""
    run = {"check": True, "capture_output": True, "cwd": folder}
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
                    "ca.pem", "-days", "2", "-subj", "/CN=test-ca"], **run)  # fmt: skip
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "node.key", "-out", "node.csr",
                    "-subj", "/CN=127.0.0.1"], **run)  # fmt: skip
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    subprocess.run(["openssl", "x509", "-req", "-in", "node.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", "node.pem", "-days", "2", "-extfile", "ext.cnf"], **run)  # fmt: skip
    return str(folder / "ca.pem"), str(folder / "node.pem"), str(folder / "node.key")


def test_a_tls_scheduler_is_reached_with_its_files_and_named_without_them(tmp_path) -> None:
    import shutil

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the test certificates")
    import distributed
    from distributed.security import Security

    from lstm_desktop.core.executors.cluster import DaskExecutor, TlsFiles
    from lstm_desktop.core.executors.items import ClusterUnavailable

    ca, cert, key = certificates(tmp_path)
    pairs = {f"tls_{who}_{part}": path for who in ("scheduler", "worker", "client")
             for part, path in (("cert", cert), ("key", key))}  # fmt: skip
    security = Security(tls_ca_file=ca, require_encryption=True, **pairs)
    local = {"processes": False, "protocol": "tls", "host": "127.0.0.1", "dashboard_address": None}
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, security=security, **local) as cluster:
        address = cluster.scheduler_address
        executor = DaskExecutor(address, threads=1, tls=TlsFiles(ca, cert, key), connect_seconds=10)
        with executor:
            assert executor.workers == 1  # probed, connected and checked over TLS
        plain = address.replace("tls://", "tcp://")
        with pytest.raises(ClusterUnavailable, match="not in Dask's protocol.*wants the other of tcp:// and tls://"):
            DaskExecutor(plain, threads=1, connect_seconds=2).__enter__()
