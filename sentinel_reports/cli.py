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
from typer.core import TyperGroup

from . import __version__
from .display import plural
from .errors import SentinelError, UsageError
from .model import parse_timestamp


def _bare_flags(params: list[Any]) -> None:
    """Flags take no value, so help shows them bare (``--quiet``), not as ``--quiet <bool>``."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""


class _Group(TyperGroup):
    """The command group: the same commands, with flags shown bare in every command's help."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        _bare_flags(params)
        return params

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _bare_flags(command.get_params(ctx))
        return command


app = typer.Typer(
    name="sentinel",
    cls=_Group,
    help="Weekly executive briefs, an honest status page and reliability decks from the exports you have.",
    no_args_is_help=True,
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
        return parse_timestamp(value)  # the Session's project normalises it (project.resolve_as_of)
    except ValueError:
        raise typer.BadParameter(
            f"expected an ISO 8601 date or time, found {value!r}", param_hint="--as-of"
        ) from None


def run(action: Callable[[], int | None]) -> None:
    """Run a command body, turning SentinelError (and an OSError of a file the command writes) into one
    readable line and exit code 1. The first line of the message names the problem itself (for a
    configuration with several problems, the first; the others follow)."""
    try:
        code = action()
    except UsageError as exc:
        raise fail(str(exc), 2) from None
    except SentinelError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:  # a file the command writes (brief --out, deck --out): name it, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        raise fail(f"{where}cannot write or read: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        raise fail("interrupted; nothing was published", 130) from None
    if code:
        raise typer.Exit(code)


def check_out_folder(folder: Path) -> None:
    """Fail before any work when ``folder`` cannot become a folder: it, or the nearest existing folder
    above it, is a file."""
    for place in (folder, *folder.absolute().parents):
        if place.exists():
            if not place.is_dir():
                raise SentinelError(f"{place} is a file, not a folder; cannot write into {folder}")
            return


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


def _one_period(week: str | None, quarter: str | None) -> None:
    """A command about one period takes exactly one of --week and --quarter."""
    if (week is None) == (quarter is None):
        raise typer.BadParameter("give exactly one of --week or --quarter")


@app.command()
def facts(
    week: Annotated[str | None, typer.Option("--week", help="ISO week, e.g. 2026-W47.")] = None,
    quarter: Annotated[str | None, typer.Option("--quarter", help="Quarter, e.g. 2026-Q4.")] = None,
    project: ProjectOpt = Path("."),
    as_of: AsOfOpt = None,
) -> None:
    """Print the facts behind a week's brief or a quarter's deck as JSON."""
    _one_period(week, quarter)
    from .analysis.facts import json_dumps_facts
    from .session import Session

    def body() -> int:
        with progress_display() as progress:
            session = Session(project, as_of=parse_as_of(as_of), progress=progress)
            doc = session.period_facts(week=week, quarter=quarter)
        sys.stdout.write(json_dumps_facts(doc))
        return 0

    run(body)


@app.command("verify-text")
def verify_text(
    file: Annotated[Path, typer.Argument(help="A markdown text about the period, written by anyone.")],
    week: Annotated[str | None, typer.Option("--week", help="ISO week, e.g. 2026-W47.")] = None,
    quarter: Annotated[str | None, typer.Option("--quarter", help="Quarter, e.g. 2026-Q4.")] = None,
    complete: Annotated[
        bool, typer.Option("--complete", help="Also require every breach, SEV1/SEV2, P1/P2 gap, overrun.")
    ] = False,
    project: ProjectOpt = Path("."),
    as_of: AsOfOpt = None,
) -> None:
    """Check a markdown text against a period's facts; exit 1 with one line per finding."""
    _one_period(week, quarter)
    from .narrative.meaning import verify_markdown
    from .session import Session

    def body() -> int:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SentinelError(f"{file}: cannot read the text: {exc}") from None
        with progress_display() as progress:
            session = Session(project, as_of=parse_as_of(as_of), progress=progress)
            doc = session.period_facts(week=week, quarter=quarter)
        findings = verify_markdown(text, doc, complete=complete, config=session.config)
        for finding in findings:
            sys.stdout.write(f"{finding}\n")
        return 1 if findings else 0

    run(body)


@app.command()
def deck(
    quarter: Annotated[str, typer.Option("--quarter", help="Quarter, e.g. 2026-Q4.")],
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: html, pdf, pptx (default: all three).")
    ] = "html,pdf,pptx",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder to write into (default: decks/<QUARTER>).")
    ] = None,
    project: ProjectOpt = Path("."),
    as_of: AsOfOpt = None,
) -> None:
    """Build one quarter's reliability deck: HTML slides, a 16:9 PDF and an editable PPTX."""
    from .publications import Deck, files_of
    from .publish.deck import parse_formats, write_files
    from .session import Session

    def body() -> int:
        wanted = parse_formats(formats)
        target = out if out is not None else Path("decks") / quarter
        check_out_folder(target)
        with progress_display() as progress:
            session = Session(project, as_of=parse_as_of(as_of), progress=progress)
            session.check_quarter(quarter)
            publication = Deck(session, quarter, wanted)
            files = files_of(session, publication)
            paths = write_files(target, {p.rpartition("/")[2]: data for p, data in files.items()})
        for path in paths:
            typer.echo(f"wrote {path}")
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


# -- build, brief, status, send, verify, serve -------------------------------------------------------------

OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: <project>/site).")]
NarratorOpt = Annotated[
    str | None,
    typer.Option("--narrator", help="template or claude (default: narrator.kind in sentinel.yaml)."),
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Ignore and do not write .sentinel/cache.")]


def _check_narrator(narrator: str | None) -> None:
    if narrator not in (None, "template", "claude"):
        raise typer.BadParameter(f"expected template or claude, found {narrator!r}", param_hint="--narrator")


def _report_build(result: Any, out: Path) -> None:
    """One line naming what was built: only the publications this build wrote."""
    built = []
    briefs = len(result.rendered_weeks) + len(result.reused_weeks)
    if briefs:
        built.append(
            f"{plural(briefs, 'weekly brief')} ({len(result.rendered_weeks)} rendered, "
            f"{len(result.reused_weeks)} unchanged)"
        )
    if result.status:
        built.append("the status page")
    if result.decks:
        built.append(plural(len(result.decks), "deck"))
    done = ", ".join(built) or "no publication"
    typer.echo(f"built {done}; {plural(result.outputs, 'file')} in {out}")
    for publication, reason in sorted(result.disabled.items()):
        typer.echo(f"not built: {publication} (site.disabled in sentinel.yaml: {reason})")
    for line in result.fallbacks:
        typer.echo(line)
    typer.echo(f"open {out / 'index.html'}")


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds.org) for the manifest's build info; None when unset."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH: expected whole seconds since 1970-01-01 UTC, found {value!r}")
    return int(value)


@app.command()
def build(
    project: ProjectOpt = Path("."),
    out: OutOpt = None,
    as_of: AsOfOpt = None,
    narrator: NarratorOpt = None,
    only: Annotated[str | None, typer.Option("--only", help="Comma-separated: brief,status,deck.")] = None,
    no_cache: NoCacheOpt = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Worker processes for reading sources, facts and briefs (default: $SENTINEL_JOBS, else the CPUs).",
        ),
    ] = None,
) -> None:
    """Run the whole pipeline and write the site atomically (briefs, status page, decks, manifest)."""
    _check_narrator(narrator)

    def body() -> int:
        moment, epoch = parse_as_of(as_of), source_date_epoch()
        if not no_cache:  # nothing changed since the last build with these options: say so, import nothing
            from types import SimpleNamespace

            from .quick import options_key, unchanged_build

            at = moment.isoformat() if moment is not None else None
            key = options_key(project, out, at, narrator, only, epoch)
            if (previous := unchanged_build(project, key)) is not None:
                previous["out_dir"] = Path(previous["out_dir"])
                _report_build(SimpleNamespace(**previous), previous["out_dir"])
                return 0
        from .pipeline import build_site

        with progress_display() as progress:
            result = build_site(project, out, as_of=moment, narrator=narrator, only=only,
                                use_cache=not no_cache, progress=progress,
                                source_date_epoch=epoch, jobs=jobs)  # fmt: skip
        _report_build(result, result.out_dir)
        return 0

    run(body)


BRIEF_FORMATS = {"html": "index.html", "email": "brief.eml", "pdf": "brief.pdf", "md": "brief.md"}


@app.command()
def brief(
    week: Annotated[str, typer.Option("--week", help="ISO week, e.g. 2026-W47.")],
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: html,email,pdf,md.")
    ] = "html,email,pdf,md",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default: ./brief-<week>).")
    ] = None,
    project: ProjectOpt = Path("."),
    as_of: AsOfOpt = None,
    narrator: NarratorOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Write one week's brief (standalone web page, email, PDF, markdown) into a folder."""
    _check_narrator(narrator)
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    unknown = sorted(set(wanted) - set(BRIEF_FORMATS))
    if unknown or not wanted:
        raise typer.BadParameter(
            f"expected a list of {', '.join(BRIEF_FORMATS)}, found {formats!r}", param_hint="--format"
        )
    from .publications import files_of, week_brief
    from .session import Session

    def body() -> int:
        folder = out if out is not None else Path(f"brief-{week}")
        check_out_folder(folder)
        with progress_display() as progress:
            session = Session(project, as_of=parse_as_of(as_of), narrator=narrator, use_cache=not no_cache,
                              progress=progress)  # fmt: skip
            publication = week_brief(session, week, standalone=True)
            files = publication.by_name(files_of(session, publication))
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in wanted:
            target = folder / BRIEF_FORMATS[fmt]
            target.write_bytes(files[BRIEF_FORMATS[fmt]])
            typer.echo(f"wrote {target}")
        return 0

    run(body)


@app.command()
def status(
    project: ProjectOpt = Path("."), out: OutOpt = None, as_of: AsOfOpt = None, no_cache: NoCacheOpt = False
) -> None:
    """Rebuild the status page only; the other publications are kept from the previous site."""
    from .pipeline import build_site

    def body() -> int:
        with progress_display() as progress:
            result = build_site(project, out, as_of=parse_as_of(as_of), only="status", use_cache=not no_cache,
                                progress=progress, source_date_epoch=source_date_epoch())  # fmt: skip
        if "status" in result.disabled:
            raise SentinelError(f"the status page is disabled in sentinel.yaml: {result.disabled['status']}")
        if not result.status:
            raise SentinelError("the status page was not built: the data covers no week")
        typer.echo(f"built the status page: {result.out_dir / 'status' / 'index.html'}")
        return 0

    run(body)


@app.command()
def send(
    week: Annotated[
        str, typer.Option("--week", help="ISO week, e.g. 2026-W47, or `last`: the last closed week at as-of.")
    ],
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Recipient (repeatable); default: email.to.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print recipients, subject and size; send nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Send even if .sentinel/sent.json says this week was sent.")
    ] = False,
    project: ProjectOpt = Path("."),
    as_of: AsOfOpt = None,
) -> None:
    """Send a week's brief email over SMTP (settings in sentinel.yaml, credentials from the environment).

    Each sent week is recorded in .sentinel/sent.json; a week already sent is refused without --force."""
    from .publications import files_of, week_brief
    from .publish.brief import describe_message, email_message
    from .publish.sent import SentLedger, last_closed_week
    from .publish.smtp import send_email
    from .session import Session

    def body() -> int:
        with progress_display() as progress:
            session = Session(project, as_of=parse_as_of(as_of), progress=progress)
            config = session.config
            if config.email is None:
                raise SentinelError("sentinel.yaml has no email section (email.from, email.to, email.smtp)")
            label = last_closed_week(session.as_of, config.tz) if week == "last" else week
            ledger = SentLedger(session.root)
            refusal = None if force or dry_run else ledger.refusal(label)
            if refusal:
                typer.echo(refusal)
                return 0
            publication = week_brief(session, label)
            files = publication.by_name(files_of(session, publication))
        message = email_message(files["brief.eml"])
        recipients = list(to) if to else list(config.email.to)
        if dry_run:
            typer.echo(
                "\n".join(
                    ["dry run: nothing sent", *describe_message(message, recipients, len(files["brief.eml"]))]
                )
            )
            return 0
        smtp = config.email.smtp
        username = os.environ.get(smtp.username_env) if smtp.username_env else None
        password = os.environ.get(smtp.password_env) if smtp.password_env else None
        if smtp.username_env and not username:
            raise SentinelError(
                f"environment variable {smtp.username_env} (email.smtp.username_env) is not set"
            )
        delivered = send_email(message, smtp, username=username, password=password, to_override=to or None)
        ledger.record(label, delivered, message["Message-ID"], dt.datetime.now(dt.UTC))
        typer.echo(
            f"sent {label} {message['Subject']!r} to {', '.join(delivered)} via {smtp.host}:{smtp.port}"
        )
        return 0

    run(body)


def parse_day(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"expected a date such as 2026-11-20, found {value!r}", param_hint=flag
        ) from None


@app.command()
def pull(
    project: ProjectOpt = Path("."),
    since: Annotated[
        str | None,
        typer.Option("--since", help="First UTC day (default: the earliest day any publication needs)."),
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last UTC day (default: today).")] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only this source id (repeatable).")
    ] = None,
) -> None:
    """Fetch the sources' export files from the vendors' APIs (sources with a `pull:` block)."""
    from .pull.run import pull_sources
    from .session import Session

    first, last = parse_day(since, "--since"), parse_day(until, "--until")

    def body() -> int:
        echo = (lambda _msg: None) if _state["quiet"] else typer.echo
        with progress_display() as progress:
            session = Session(project, progress=progress)
            report = pull_sources(session.config, since=first, until=last, only=source or (),
                                  progress=progress, echo=echo)  # fmt: skip
        for line in report.summary():
            typer.echo(line)
        return 1 if report.failed else 0

    run(body)


@app.command()
def verify(site_dir: Annotated[Path, typer.Argument(help="A published site folder.")] = Path("site")) -> None:
    """Re-hash a published site against its manifest.json; exit 1 when anything changed."""
    from .publish.manifest import verify_site

    def body() -> int:
        problems = verify_site(site_dir)
        for problem in problems:
            typer.echo(problem)
        if problems:
            console(stderr=True).print(f"{len(problems)} problem(s): {site_dir} does not match its manifest")
            return 1
        typer.echo(f"{site_dir}: every file matches manifest.json")
        return 0

    run(body)


@app.command()
def serve(
    project: ProjectOpt = Path("."),
    out: OutOpt = None,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8000,
    interval: Annotated[
        float, typer.Option("--interval", help="Seconds between checks for changed inputs.")
    ] = 1.0,
) -> None:
    """Preview the site on 127.0.0.1, rebuilding when sentinel.yaml, data/, content/ or templates/ change."""
    from .serve import serve_site

    def body() -> int:
        serve_site(project, out, port=port, interval=interval, echo=typer.echo)
        return 0

    run(body)


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
