"""Before a Dask client is made: is there a Dask *scheduler* at the address, answering within the deadline?

Dask's own connect waits for the peer's handshake with no time limit: a port where something else listens (a web
server, say) kept `Client(...)` waiting forever, whatever its `timeout`. So the address is probed first, every
step under the deadline: a TCP connection (refused, unreachable, or silent), then Dask's handshake and an
`identity` request (a peer that does not answer in Dask's protocol is named as such, and so is a Dask worker
or nanny given in place of the scheduler). Every failure is a ClusterUnavailable (exit 3) in words.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass
from typing import Any

from ..setting_fields import check_fields, setting
from .items import ClusterUnavailable

DEFAULT_CONNECT_SECONDS = 30.0


@dataclass(frozen=True, kw_only=True)
class ClusterSpec:
    """How long any connection to a Dask scheduler may take before the cluster counts as unavailable."""

    connect_timeout: float = setting(
        DEFAULT_CONNECT_SECONDS,
        label="Connect timeout",
        help="seconds a connection to the Dask scheduler may take (reaching it, its answer, a lost one found out) "
        "before the command gives up with exit code 3",
        low=0.5,
        high=3600.0,
        unit="s",
        decimals=1,
    )

    def validate(self) -> None:
        check_fields(self)


def host_port(address: str) -> tuple[str, int]:
    """(host, port) of a tcp:// or tls:// address (port 8786, Dask's, when none is given)."""
    rest = address.split("://", 1)[-1].rstrip("/")
    if rest.startswith("["):  # [IPv6]:port
        host, _, port = rest[1:].partition("]")
        port = port.lstrip(":")
    else:
        host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
    try:
        return host, int(port) if port else 8786
    except ValueError:
        raise ClusterUnavailable(f"The scheduler address {address} has no port number after its host.") from None


def _reach(address: str, seconds: float) -> None:
    host, port = host_port(address)
    try:
        socket.create_connection((host, port), timeout=seconds).close()
    except TimeoutError:
        raise ClusterUnavailable(
            f"Cannot reach the Dask scheduler at {address}: no answer within {seconds:g} s (a firewall, or the "
            "wrong host?)."
        ) from None
    except OSError as exc:
        cause = exc.strerror or str(exc)
        raise ClusterUnavailable(
            f"Cannot reach the Dask scheduler at {address}: {cause} (is `dask scheduler` running there, on that port?)."
        ) from exc


async def _identity(address: str, connection_args: dict[str, Any], seconds: float) -> dict[str, Any]:
    from distributed.comm import connect

    comm = await connect(address, timeout=seconds, **connection_args)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


def _speak(address: str, connection_args: dict[str, Any], seconds: float, left: float) -> dict[str, Any]:
    """The peer's identity, asked in Dask's protocol in a thread of its own within `left` seconds (of the
    deadline's `seconds`)."""
    found: dict[str, Any] = {}

    def ask() -> None:
        try:
            found["identity"] = asyncio.run(asyncio.wait_for(_identity(address, connection_args, left), left))
        except BaseException as exc:  # carried back to the caller's thread, which words it
            found["error"] = exc

    thread = threading.Thread(target=ask, name="dask-probe", daemon=True)
    thread.start()
    thread.join(left + 0.5)
    not_dask = (
        f"{address} answered, but not in Dask's protocol: it is not a Dask scheduler (another program listens "
        "on that port, or a scheduler that wants the other of tcp:// and tls://?). Give the address `dask "
        "scheduler` printed, tcp://HOST:8786 by default."
    )
    if thread.is_alive() or isinstance(found.get("error"), (TimeoutError, asyncio.TimeoutError)):
        raise ClusterUnavailable(f"{not_dask[:-1]} (no Dask handshake within {seconds:g} s).")
    error = found.get("error")
    if error is not None:
        import ssl

        if isinstance(error, ssl.SSLError) or "SSL" in type(error).__name__ or "certificate" in str(error).lower():
            raise ClusterUnavailable(f"The TLS handshake with {address} failed: {error}.") from error
        raise ClusterUnavailable(f"{not_dask} ({type(error).__name__}: {error})") from error
    identity = found.get("identity")
    return identity if isinstance(identity, dict) else {}


def probe(address: str, security: Any, seconds: float, left: float | None = None) -> None:
    """Refuse, within `seconds` for all its steps together (or the `left` of them a caller has not spent yet), an
    address where no Dask scheduler answers."""
    import time

    end = time.monotonic() + max(0.5, seconds if left is None else min(left, seconds))
    _reach(address, max(0.5, end - time.monotonic()))
    args = security.get_connection_args("client") if security is not None else {}
    identity = _speak(address, args, seconds, max(0.5, end - time.monotonic()))
    kind = identity.get("type")
    if kind != "Scheduler":
        what = f"a Dask {kind}" if isinstance(kind, str) and kind else "something that is not a Dask scheduler"
        raise ClusterUnavailable(f"{address} is {what}, not the scheduler: give the scheduler's address.")
