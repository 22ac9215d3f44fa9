"""`sentinel serve`: preview the site on 127.0.0.1 and rebuild it when its inputs change.

    serve_site(project_dir, out_dir, port=8000, interval=1.0, echo=print)

The site is built once, then served by the standard library's HTTP server from a background thread, bound
to the loopback interface only. The main thread polls the modification times and sizes of ``sentinel.yaml``,
``data/``, ``content/`` and ``templates/`` every ``interval`` seconds and runs ``pipeline.build_site`` when
they change. A failed rebuild is reported and the previous site stays served, because the site writer only
swaps in a complete build.

Why polling and not watchfiles (checked against watchfiles 1.3): its watches are recursive for every path
or for none. Watching the project folder recursively puts an inotify watch on every folder under it, the
site/ and .sentinel/ this command writes and often a .venv/ of thousands of folders (the demo project is
the repository root), which runs into the per-user inotify limit; watching the four inputs one by one
loses ``sentinel.yaml`` after the first save of an editor that saves by renaming a new file over it (the
watch stays on the old file), and never sees a ``templates/`` folder created after the server started.
Polling four paths once a second costs a few hundred ``stat`` calls and sees all of these.

What the server answers (``SiteHandler``), so that a page of another web site open in the same browser
cannot read the preview, and a file planted in the site cannot expose the rest of the disk:
- only regular files whose real path (symlinks resolved) is inside the site folder; a symlink that leads
  outside, a FIFO or a device is 404;
- a folder serves its ``index.html`` or is 404: no directory listings;
- the ``Host`` header must be ``localhost``, ``127.0.0.1`` or ``[::1]`` with the server's port, else 403:
  a DNS-rebinding page (``attacker.example`` resolving to 127.0.0.1) sends its own name and is refused.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import SentinelError

WATCHED = ("sentinel.yaml", "data", "content", "templates")


def input_signature(project_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime_ns, size) of every watched file, sorted: any edit, addition or removal changes it."""
    entries = []
    for name in WATCHED:
        root = project_dir / name
        paths = (
            [root]
            if root.is_file()
            else sorted(p for p in root.rglob("*") if p.is_file())
            if root.is_dir()
            else []
        )
        for path in paths:
            try:
                st = path.stat()
            except OSError:
                continue
            entries.append((path.relative_to(project_dir).as_posix(), st.st_mtime_ns, st.st_size))
    return tuple(entries)


LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def host_allowed(host: str | None, port: int) -> bool:
    """True when a ``Host`` header names this machine's loopback with the server's port."""
    if not host:
        return False
    host = host.strip().lower()
    allowed = {f"{name}:{port}" for name in LOCAL_HOSTS}
    if port == 80:
        allowed |= set(LOCAL_HOSTS)
    return host in allowed


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves regular files under the site folder only (see the module docstring)."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        return None

    def send_head(self) -> Any:
        if not host_allowed(self.headers.get("Host"), self.server.server_address[1]):
            self.send_error(HTTPStatus.FORBIDDEN, "Host must be localhost, 127.0.0.1 or [::1]")
            return None
        root = Path(self.directory).resolve()
        path = Path(self.translate_path(self.path))
        if path.is_dir() and urlsplit(self.path).path.endswith("/"):
            path = path / "index.html"
        elif path.is_dir():
            return super().send_head()  # the redirect to the folder's address with a trailing slash
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            real = None
        if real is None or not real.is_relative_to(root) or not real.is_file():
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        return super().send_head()

    def list_directory(self, path: Any) -> Any:
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")
        return None


def make_server(site_dir: Path, port: int) -> ThreadingHTTPServer:
    """An HTTP server for ``site_dir`` on 127.0.0.1 (never another interface)."""
    handler = functools.partial(SiteHandler, directory=str(site_dir))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve_site(
    project_dir: Path | str,
    out_dir: Path | str | None = None,
    *,
    port: int = 8000,
    interval: float = 1.0,
    echo: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Build, serve and rebuild on change until interrupted (or until ``stop`` is set, for tests)."""
    from .pipeline import build_site

    project_dir = Path(project_dir)
    out = Path(out_dir) if out_dir is not None else project_dir / "site"

    def rebuild() -> None:
        try:
            result = build_site(project_dir, out)
            echo(f"built {len(result.weeks)} weeks ({len(result.rendered_weeks)} rendered) into {out}")
        except SentinelError as exc:
            echo(f"error: {exc}\nstill serving the previous build")

    signature = input_signature(project_dir)
    rebuild()
    out.mkdir(parents=True, exist_ok=True)
    server = make_server(out.absolute(), port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    echo(f"serving {out} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    stop = stop or threading.Event()
    try:
        while not stop.wait(interval):
            current = input_signature(project_dir)
            if current != signature:
                signature = current
                echo("inputs changed; rebuilding")
                rebuild()
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
