"""`sentinel serve`: preview the site on 127.0.0.1 and rebuild it when its inputs change.

    serve_site(project_dir, out_dir, port=8000, interval=1.0, echo=print)

The site is built once, then served by the standard library's HTTP server from a background thread, bound
to the loopback interface only. The main thread polls the modification times and sizes of ``sentinel.yaml``,
``data/``, ``content/`` and ``templates/`` every ``interval`` seconds (no file-watching dependency) and runs
``pipeline.build_site`` when they change. A failed rebuild is reported and the previous site stays served,
because the site writer only swaps in a complete build.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        return None


def make_server(site_dir: Path, port: int) -> ThreadingHTTPServer:
    """An HTTP server for ``site_dir`` on 127.0.0.1 (never another interface)."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
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
