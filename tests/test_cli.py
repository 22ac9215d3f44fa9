"""The build, brief, status, send, verify and serve commands through CliRunner: exit codes 0/1/2, readable
errors without tracebacks, and the brief email delivered to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import re
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from typer.testing import CliRunner

from sentinel_reports.cli import app
from sentinel_reports.render.markdown import strip_markdown_emphasis

runner = CliRunner()
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _with_email(project: Path, port: int) -> None:
    config = project / "sentinel.yaml"
    text = re.sub(r"(?ms)^email:.*?(?=^\S|\Z)", "", config.read_text(encoding="utf-8"))
    text += (
        "\nemail:\n  from: Sentinel Reports <sentinel@example.com>\n  to: [exec-staff@example.com]\n"
        f"  smtp: {{host: 127.0.0.1, port: {port}, starttls: false, username_env: TEST_SMTP_USER, "
        "password_env: TEST_SMTP_PASSWORD, timeout_seconds: 5}\n"
    )
    config.write_text(text, encoding="utf-8")


@pytest.fixture()
def project(example_site, example_project: Path, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    return Path(shutil.copytree(example_project, tmp_path / "project", ignore=shutil.ignore_patterns("site")))


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


@pytest.fixture()
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    def check(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = auth_data.login == b"sentinel-bot" and auth_data.password == b"s3cret-pw"
        return AuthResult(success=ok, handled=False)

    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=check, auth_required=True,
                            auth_require_tls=False)  # fmt: skip
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_send_delivers_the_brief_to_a_real_smtp_server(project: Path, smtp_server, example_site) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_server
    _with_email(project, port)
    week = example_site[1].weeks[-1]
    env = {"TEST_SMTP_USER": "sentinel-bot", "TEST_SMTP_PASSWORD": "s3cret-pw"}
    result = runner.invoke(app, ["--quiet", "send", "--week", week, "--project", str(project)], env=env)
    assert result.exit_code == 0, result.output
    assert "s3cret-pw" not in result.output
    ((recipients, raw),) = inbox.messages
    assert recipients == ["exec-staff@example.com"]
    msg = email.message_from_bytes(raw, policy=policy.default)
    summary_line = (
        (example_site[0] / "briefs" / week / "brief.md").read_text(encoding="utf-8").splitlines()[2]
    )
    assert msg["Subject"] == f"Weekly brief {week} · " + strip_markdown_emphasis(summary_line)
    assert msg.get_content_type() == "multipart/mixed"
    related, pdf = msg.get_payload()
    alternative, *images = related.get_payload()
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    html = alternative.get_payload()[1].get_content()
    referenced = set(re.findall(r'src="cid:([^"]+)"', html))
    assert referenced and referenced == {i["Content-ID"].strip("<>") for i in images}
    assert pdf.get_content_type() == "application/pdf" and pdf.get_content().startswith(b"%PDF")


def test_send_to_override_and_dry_run(project: Path, example_site) -> None:  # type: ignore[no-untyped-def]
    _with_email(project, _free_port())  # nothing listens: a dry run must not connect
    week = example_site[1].weeks[-1]
    args = [
        "--quiet",
        "send",
        "--week",
        week,
        "--project",
        str(project),
        "--to",
        "cfo@example.com",
        "--dry-run",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "dry run: nothing sent" in result.output and "To: cfo@example.com" in result.output
    assert (
        re.search(r"Size: [\d,]+ bytes", result.output)
        and "Subject: Weekly brief 2026-W" in result.output
        and " · Current AI Platform Status" in result.output
    )


def test_send_auth_failure_is_a_clear_error(project: Path, smtp_server, example_site) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp_server
    _with_email(project, port)
    env = {"TEST_SMTP_USER": "sentinel-bot", "TEST_SMTP_PASSWORD": "wrong-password"}
    week = example_site[1].weeks[-1]
    result = runner.invoke(app, ["--quiet", "send", "--week", week, "--project", str(project)], env=env)
    assert result.exit_code == 1
    assert "rejected the login for user 'sentinel-bot'" in result.output
    assert "wrong-password" not in result.output and "Traceback" not in result.output
    assert inbox.messages == []


def test_send_connection_refused_is_a_clear_error(project: Path, example_site) -> None:  # type: ignore[no-untyped-def]
    port = _free_port()
    _with_email(project, port)
    env = {"TEST_SMTP_USER": "sentinel-bot", "TEST_SMTP_PASSWORD": "x"}
    week = example_site[1].weeks[-1]
    result = runner.invoke(app, ["--quiet", "send", "--week", week, "--project", str(project)], env=env)
    assert result.exit_code == 1
    assert f"cannot connect to SMTP server 127.0.0.1:{port}: connection refused" in result.output


@pytest.mark.parametrize("week", ["2026-47", "2026-W60", "2031-W01"])
def test_brief_for_a_week_outside_the_data_is_a_usage_error(project: Path, week: str) -> None:
    result = runner.invoke(app, ["--quiet", "brief", "--week", week, "--project", str(project)])
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and "Traceback" not in result.output


def test_brief_writes_the_requested_formats(project: Path, example_site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    week = example_site[1].weeks[-1]
    out = tmp_path / "one"
    result = runner.invoke(
        app,
        [
            "--quiet",
            "brief",
            "--week",
            week,
            "--format",
            "html,md",
            "--project",
            str(project),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["brief.md", "index.html"]
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<style>" in html and "static/sentinel.css" not in html  # standalone: the stylesheet is inline
    bad = runner.invoke(
        app, ["--quiet", "brief", "--week", week, "--format", "html,docx", "--project", str(project)]
    )
    assert bad.exit_code == 2


def test_bad_source_exits_1_naming_file_row_and_column(project: Path, tmp_path: Path) -> None:
    evals = project / "data" / "evals" / "evals.csv"
    lines = evals.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("passed")] = "many"
    lines[3] = ",".join(cells)
    evals.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(
        app, ["--quiet", "build", "--project", str(project), "--out", str(tmp_path / "site")]
    )
    assert result.exit_code == 1
    assert "evals.csv" in result.output and "row 3" in result.output and "'passed'" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "site").exists()


def test_build_status_and_verify(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = runner.invoke(
        app, ["--quiet", "build", "--project", str(project), "--out", str(out), "--only", "brief,status"]
    )
    assert result.exit_code == 0, result.output
    assert f"open {out / 'index.html'}" in result.output
    assert (
        runner.invoke(app, ["--quiet", "status", "--project", str(project), "--out", str(out)]).exit_code == 0
    )
    ok = runner.invoke(app, ["verify", str(out)])
    assert ok.exit_code == 0 and "every file matches" in ok.output
    page = next((out / "briefs").glob("*/index.html"))
    page.write_text(
        page.read_text(encoding="utf-8").replace("Executive summary", "Executive summary (edited)"),
        encoding="utf-8",
    )
    changed = runner.invoke(app, ["verify", str(out)])
    assert changed.exit_code == 1 and f"modified: {page.relative_to(out).as_posix()}" in changed.output
    bad = runner.invoke(app, ["--quiet", "build", "--project", str(project), "--narrator", "oracle"])
    assert bad.exit_code == 2


def test_serve_answers_on_loopback_and_rebuilds_on_change(project: Path, tmp_path: Path) -> None:
    from sentinel_reports.serve import serve_site

    lines: list[str] = []
    stop = threading.Event()
    out = tmp_path / "site"
    thread = threading.Thread(
        target=serve_site,
        args=(project, out),
        kwargs={"port": 0, "interval": 0.2, "echo": lines.append, "stop": stop},
    )
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not any("serving" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.1)
        url = next(line for line in lines if "serving" in line).split(" at ")[1].split(" ")[0]
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "index.html", timeout=10) as response:  # noqa: S310 - loopback only
            assert b"Weekly briefs" in response.read()
        note = next((project / "content" / "notes").glob("*.md"))
        note.write_text(note.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        while not any("rebuilding" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert any("rebuilding" in line for line in lines)
    finally:
        stop.set()
        thread.join(timeout=120)
    assert not thread.is_alive()


def test_send_week_last_twice_sends_one_email(project: Path, smtp_server, example_site) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt
    import json

    from sentinel_reports.session import Session

    inbox, port = smtp_server
    _with_email(project, port)
    env = {"TEST_SMTP_USER": "sentinel-bot", "TEST_SMTP_PASSWORD": "s3cret-pw"}
    args = ["--quiet", "send", "--week", "last", "--project", str(project)]
    first = runner.invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, args, env=env)
    assert second.exit_code == 0, second.output
    assert len(inbox.messages) == 1
    assert "not sent: the brief for" in second.output and "--force" in second.output
    ledger = json.loads((project / ".sentinel" / "sent.json").read_text(encoding="utf-8"))
    [(week, [entry])] = ledger["weeks"].items()
    as_of = Session(project).as_of
    monday = dt.date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), dt.UTC)
    assert end <= as_of < end + dt.timedelta(days=7)  # the last week that closed at as-of
    msg = email.message_from_bytes(inbox.messages[0][1], policy=policy.default)
    assert entry["recipients"] == ["exec-staff@example.com"] and entry["message_id"] == msg["Message-ID"]
    assert "s3cret-pw" not in json.dumps(ledger)
    forced = runner.invoke(app, [*args, "--force"], env=env)
    assert forced.exit_code == 0, forced.output
    assert len(inbox.messages) == 2


def test_last_closed_week_is_the_week_that_ended_at_or_before_as_of() -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from sentinel_reports.publish.sent import last_closed_week

    utc = ZoneInfo("UTC")
    assert last_closed_week(dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.UTC), utc) == "2026-W47"  # Monday 00:00
    assert last_closed_week(dt.datetime(2026, 11, 22, 23, 59, tzinfo=dt.UTC), utc) == "2026-W46"
    assert last_closed_week(dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC), utc) == "2026-W47"
    # in Tokyo the week closes nine hours earlier than in UTC
    assert (
        last_closed_week(dt.datetime(2026, 11, 22, 16, 0, tzinfo=dt.UTC), ZoneInfo("Asia/Tokyo"))
        == "2026-W47"
    )
