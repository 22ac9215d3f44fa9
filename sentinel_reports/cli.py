"""The `sentinel` command line. Thin: parse flags, call the pipeline, map errors to exit codes.

Exit codes: 0 success; 1 data or validation problems (SentinelError, printed without a traceback);
2 usage errors (bad flags, unknown week or quarter).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from . import __version__
from .errors import SentinelError, UsageError

app = typer.Typer(
    name="sentinel",
    help="Weekly executive briefs, an honest status page and reliability decks from the exports you have.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state: dict[str, Any] = {"quiet": False}

ProjectOpt = Annotated[Path, typer.Option("--project", "-p", help="Project folder (holds sentinel.yaml).")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="Report as of this time (ISO 8601); default: latest data timestamp."),
]


def console(stderr: bool = False) -> Console:
    tty = sys.stderr.isatty() if stderr else sys.stdout.isatty()
    return Console(
        stderr=stderr,
        highlight=False,
        force_terminal=None if tty else False,
        no_color=not tty,
        soft_wrap=True,
    )


def fail(message: str, code: int = 1) -> typer.Exit:
    console(stderr=True).print(
        f"[bold red]error:[/] {message}" if sys.stderr.isatty() else f"error: {message}"
    )
    return typer.Exit(code)


@contextmanager
def progress_display(enabled: bool = True) -> Iterator[Callable[[str], None]]:
    """A spinner with the current step on a terminal; silent in CI, with --quiet or when not a TTY."""
    if _state["quiet"] or not enabled or not sys.stderr.isatty() or os.environ.get("CI"):
        yield lambda _msg: None
        return
    err = console(stderr=True)
    with err.status("starting") as status:
        yield lambda msg: status.update(msg)


def parse_as_of(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f"expected an ISO 8601 date or time, found {value!r}", param_hint="--as-of"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def run(action: Callable[[], int | None]) -> None:
    """Run a command body, turning SentinelError into a readable message and exit code 1."""
    try:
        code = action()
    except UsageError as exc:
        raise fail(str(exc), 2) from None
    except SentinelError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise fail("interrupted; nothing was published", 130) from None
    if code:
        raise typer.Exit(code)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"sentinel-reports {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    _state["quiet"] = quiet


@app.command()
def check(
    project: ProjectOpt = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    as_of: AsOfOpt = None,
) -> None:
    """Validate config and every source; list sources, coverage, gaps and lint findings. Writes nothing."""
    from .check import build_check_report, print_check_report

    def body() -> int:
        with progress_display(not as_json) as progress:
            report = build_check_report(project, as_of=parse_as_of(as_of), progress=progress)
        if as_json:
            typer.echo(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False))
        else:
            print_check_report(report, console())
        return 1 if report["errors"] else 0

    run(body)


@app.command()
def facts(
    week: Annotated[str | None, typer.Option("--week", help="ISO week, e.g. 2026-W47.")] = None,
    quarter: Annotated[str | None, typer.Option("--quarter", help="Quarter, e.g. 2026-Q4.")] = None,
    project: ProjectOpt = Path("."),
    as_of: AsOfOpt = None,
) -> None:
    """Print the facts behind a week's brief or a quarter's deck as JSON."""
    if (week is None) == (quarter is None):
        raise typer.BadParameter("give exactly one of --week or --quarter")
    from .analysis.facts import json_dumps_facts
    from .pipeline import period_facts

    def body() -> int:
        with progress_display() as progress:
            doc = period_facts(
                project, week=week, quarter=quarter, as_of=parse_as_of(as_of), progress=progress
            )
        sys.stdout.write(json_dumps_facts(doc))
        return 0

    run(body)


@app.command("demo-data")
def demo_data(
    project: ProjectOpt = Path("."),
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives identical files.")
    ] = 7,
) -> None:
    """Regenerate the demo exports in data/ (and the demo content/) deterministically."""
    from .demo import generate

    def body() -> int:
        written = generate(project, seed=seed)
        typer.echo(f"wrote {len(written)} files under {project}")
        return 0

    run(body)


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Folder to create the new project in.")]) -> None:
    """Scaffold a new project: config, example content and a small example dataset."""
    from .demo import scaffold

    def body() -> int:
        written = scaffold(directory)
        typer.echo(f"created {len(written)} files in {directory}; next: sentinel check --project {directory}")
        return 0

    run(body)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
