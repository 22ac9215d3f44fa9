"""`sentinel serve`'s HTTP handler against a real server on 127.0.0.1: regular files under the site only,
no symlinks that lead out, no directory listings, and the Host header checked (DNS rebinding)."""

from __future__ import annotations

import http.client
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sentinel_reports.serve import host_allowed, make_server

SECRET = "SECRET-OUTSIDE-THE-SITE"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    site, outside = tmp_path / "site", tmp_path / "outside"
    (site / "briefs/2026-W47").mkdir(parents=True)
    (site / "empty").mkdir()
    outside.mkdir()
    (site / "index.html").write_text("<p>landing</p>", encoding="utf-8")
    (site / "briefs/2026-W47/index.html").write_text("<p>brief</p>", encoding="utf-8")
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "index.html").write_text(SECRET, encoding="utf-8")
    (site / "leak.txt").symlink_to(outside / "secret.txt")
    (site / "leakdir").symlink_to(outside)
    (site / "inside.html").symlink_to(site / "index.html")
    os.mkfifo(site / "pipe.html")
    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def get(port: int, path: str, host: str | None = None, method: str = "GET") -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True)
        conn.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_files_and_folder_index_pages_are_served(served: tuple[Path, int]) -> None:
    _, port = served
    assert get(port, "/") == (200, "<p>landing</p>")
    assert get(port, "/briefs/2026-W47/") == (200, "<p>brief</p>")
    assert get(port, "/briefs/2026-W47/index.html") == (200, "<p>brief</p>")
    assert get(port, "/inside.html") == (200, "<p>landing</p>")  # a symlink that stays inside
    assert get(port, "/briefs/2026-W47")[0] == 301  # to the address with the trailing slash


@pytest.mark.parametrize("path", ["/leak.txt", "/leakdir/secret.txt", "/leakdir/", "/../outside/secret.txt"])
def test_symlinks_out_of_the_site_are_not_followed(served: tuple[Path, int], path: str) -> None:
    _, port = served
    status, body = get(port, path)
    assert status == 404 and SECRET not in body


@pytest.mark.parametrize("path", ["/empty/", "/briefs/"])
def test_folders_without_an_index_are_not_listed(served: tuple[Path, int], path: str) -> None:
    _, port = served
    status, body = get(port, path)
    assert status == 404 and "Directory listing" not in body and "2026-W47" not in body


def test_a_fifo_is_not_opened(served: tuple[Path, int]) -> None:
    _, port = served
    assert get(port, "/pipe.html")[0] == 404


@pytest.mark.parametrize(
    "host", ["attacker.example:{port}", "attacker.example", "127.0.0.1:1", "", "localhost"]
)
def test_foreign_host_headers_are_refused(served: tuple[Path, int], host: str) -> None:
    _, port = served
    status, body = get(port, "/", host=host.format(port=port))
    assert status == 403 and "landing" not in body


@pytest.mark.parametrize("host", ["localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}", "LOCALHOST:{port}"])
def test_loopback_host_headers_are_accepted(served: tuple[Path, int], host: str) -> None:
    _, port = served
    assert get(port, "/", host=host.format(port=port)) == (200, "<p>landing</p>")
    assert get(port, "/", host=host.format(port=port), method="HEAD")[0] == 200


def test_host_allowed_needs_the_port() -> None:
    assert host_allowed("localhost:8000", 8000)
    assert not host_allowed("localhost:8001", 8000)
    assert host_allowed("localhost", 80) and not host_allowed("localhost", 8000)
    assert not host_allowed(None, 8000)
