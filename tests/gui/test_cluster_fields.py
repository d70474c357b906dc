"""The Search and Sweep dialogs take a tls:// scheduler with its three certificate files (shown only for tls://),
refuse missing ones in words before anything starts, and a scheduler address where something other than Dask
listens is named in the dialog within the connect timeout, not a silent wait. Loopback addresses only."""

from __future__ import annotations

import contextlib
import http.server
import threading

import pytest


@contextlib.contextmanager
def web_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_tls_takes_its_certificate_files_in_the_dialog(qtbot, window, tmp_path) -> None:
    pytest.importorskip("distributed")
    dialog = window.many.open_search()
    place = dialog.place
    assert place.tls_row.isHidden()  # tcp:// and local workers need none
    place.scheduler.setText("tls://127.0.0.1:8786")
    assert not place.tls_row.isHidden()
    dialog.start_button.click()
    assert "needs the TLS certificate authority (CA) file" in dialog.status.text() and not window.busy()
    files = []
    for name in ("tlsCaEdit", "tlsCertEdit", "tlsKeyEdit"):
        path = tmp_path / f"{name}.pem"
        path.write_text("-----BEGIN CERTIFICATE-----\n")
        place.tls[name].setText(str(path))
        files.append(str(path))
    place.tls["tlsKeyEdit"].setText(str(tmp_path / "missing.key"))
    dialog.start_button.click()
    assert f"The TLS key file {tmp_path / 'missing.key'} does not exist" in dialog.status.text()
    place.tls["tlsKeyEdit"].setText(files[2])
    chosen = place.place()
    chosen.check()  # accepted: tls:// with its files
    assert chosen.tls == tuple(files) and chosen.executor(1, 2).tls.ca == files[0]
    place.scheduler.setText("tcp://127.0.0.1:8786")
    assert place.tls_row.isHidden() and place.place().tls is None
    place.scheduler.setText("tls://127.0.0.1:8786")
    dialog.grab().save(str(tmp_path / "search_dialog_tls.png"))


def test_a_web_server_for_a_scheduler_is_named_in_the_sweep_dialog(qtbot, window) -> None:
    pytest.importorskip("distributed")
    dialog = window.many.open_sweep()
    dialog.tickers.setPlainText("IBM")
    dialog.place.timeout_spin.setValue(2.0)
    with web_server() as address:
        dialog.place.scheduler.setText(address)
        dialog.start_button.click()
        qtbot.waitUntil(lambda: "not in Dask's protocol" in dialog.status.text(), timeout=30_000)
        qtbot.waitUntil(lambda: not window.busy(), timeout=30_000)
    assert "no Dask handshake within 2 s" in dialog.status.text()
