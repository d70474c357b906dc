"""Checks before a Dask cluster is used: the address (scheme, TLS files) and the workers (the same lstm-desktop,
torch and Python as this process: a worker without the package does not fail, it hangs, dask/distributed#1341)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import BadInput
from .items import ClusterUnavailable


@dataclass(frozen=True)
class TlsFiles:
    """The client's side of a TLS connection: the cluster's certificate authority, our certificate and key."""

    ca: str
    cert: str
    key: str


def check_address(address: str, tls: TlsFiles | None) -> str:
    """A scheduler address as Dask reads it; refuses schemes it should not use and TLS without its files."""
    text = address.strip()
    if "://" not in text:
        text = "tcp://" + text
    scheme = text.split("://", 1)[0]
    if scheme not in ("tcp", "tls"):
        raise BadInput(f"A scheduler address starts with tcp:// or tls://, not {scheme}:// ({address!r}).")
    if scheme == "tls" and tls is None:
        raise BadInput("A tls:// scheduler needs --tls-ca, --tls-cert and --tls-key (the cluster's CA, your cert).")
    if scheme == "tcp" and tls is not None:
        raise BadInput("TLS certificates were given for a tcp:// address: use the tls:// address of the scheduler.")
    return text


def preflight(client: Any, seconds: float) -> int:
    """The cluster's worker slots, after checking its workers run this lstm-desktop, torch and Python (each
    question answered within `seconds`, else the cluster is unavailable)."""
    try:
        versions = client.sync(client._get_versions, packages=["lstm_desktop", "torch"], callback_timeout=seconds)
        slots = client.sync(client.scheduler.ncores, callback_timeout=seconds)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailable(f"The Dask scheduler did not answer within {seconds:g} s: {exc}") from exc
    mine = versions["client"]["packages"]
    mine_python = versions["client"]["host"].get("python")
    workers = versions.get("workers") or {}
    if not workers:
        raise ClusterUnavailable("The Dask scheduler has no workers: start some (dask worker ADDRESS --nthreads 1).")
    for address, seen in workers.items():
        for package in ("lstm_desktop", "torch"):
            if seen["packages"].get(package) != mine.get(package):
                found = seen["packages"].get(package) or "not installed"
                raise ClusterUnavailable(
                    f"Dask worker {address} has {package} {found}, this app {mine.get(package)}: install the same "
                    "lstm-desktop and torch on every worker."
                )
        if seen["host"].get("python") != mine_python:
            raise ClusterUnavailable(
                f"Dask worker {address} runs Python {seen['host'].get('python')}, not {mine_python}."
            )
    return max(1, sum(slots.values()))
