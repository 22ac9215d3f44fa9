"""A rebuild after input files changed fingerprints only the weeks whose look-back windows the changed rows
can reach; every other week keeps its facts key from the previous build, and that key is the one a full
fingerprint gives (the skip is never wrong). Checked on a copy of the demo project (25 weeks)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import shutil
from pathlib import Path

import pytest

from sentinel_reports.analysis.fingerprint import period_fingerprint, reach, window
from sentinel_reports.cache.store import digest
from sentinel_reports.session import Session, facts_key

DEMO = Path(__file__).resolve().parents[2]
DAY = dt.datetime(2026, 9, 16, tzinfo=dt.UTC)  # a Wednesday of 2026-W38, long before the last week


@pytest.fixture(scope="module")
def first(module_tmp: Path) -> tuple[Path, dict[str, str]]:
    """The demo project after one build's fingerprints: (its folder, every week's facts key)."""
    project = module_tmp / "demo"
    project.mkdir()
    for name in ("sentinel.yaml", "data", "content"):
        copy = shutil.copytree if (DEMO / name).is_dir() else shutil.copy2
        copy(DEMO / name, project / name)
    session = Session(project, jobs=1)
    keys = session.week_keys(session.weeks)
    assert session.fingerprinted == session.weeks  # no earlier build: every week fingerprinted
    return project, keys


def copied(first: tuple[Path, dict[str, str]], folder: Path) -> Path:
    shutil.copytree(first[0], folder)
    return folder


def bill_rows(path: Path) -> tuple[str, list[str]]:
    header, *rows = gzip.decompress(path.read_bytes()).decode().splitlines()
    return header, rows


def write_bill(path: Path, header: str, rows: list[str]) -> None:
    path.write_bytes(gzip.compress(("\n".join([header, *rows]) + "\n").encode(), mtime=0))


def late(row: str) -> str:
    """The same charge with another description: a new row, not a copy of an old one."""
    return row.replace("node pool (", "node pool - late (", 1) if "node pool (" in row else row


def rebuilt(project: Path, before: dict[str, str]) -> tuple[Session, dict[str, str], list[str]]:
    """A new session's keys, and the weeks whose fingerprint (computed in full, for every week) differs
    from the first build's."""
    session = Session(project, jobs=1)
    keys = session.week_keys(session.weeks)
    p = session.project
    static = facts_key(p.config)
    full = {w: digest("period-facts-v1", static, period_fingerprint(p.dataset, p.config, "week", w, p.as_of)) for w in session.weeks}  # fmt: skip
    for week, key in keys.items():
        assert key == full[week], f"{week}: kept a key a full fingerprint does not give"
    return session, keys, [w for w in session.weeks if full[w] != before.get(w)]


def reached(session: Session, start: dt.datetime, end: dt.datetime, margin: dt.timedelta) -> list[str]:
    """The closed weeks whose window [since, at], widened by ``margin``, holds a moment of [start, end]."""
    p = session.project
    out = []
    for week in session.weeks:
        since, at, _closed = window(p.config, "week", week, p.as_of)
        if since - margin <= end and start <= at + margin:
            out.append(week)
    return out


def test_a_late_day_of_bill_refingerprints_the_weeks_whose_windows_hold_it(
    first: tuple[Path, dict[str, str]], module_tmp: Path
) -> None:
    project = copied(first, module_tmp / "late-day")
    header, rows = bill_rows(project / "data/billing/focus_2026-09.csv.gz")
    day = [late(r) for r in rows if ",2026-09-17T00:00:00Z,2026-09-16T00:00:00Z," in r]
    assert len(day) >= 3 and day != [r for r in rows if ",2026-09-17T00:00:00Z,2026-09-16T00:00:00Z," in r]
    write_bill(project / "data/billing/focus_2026-09-16-late.csv.gz", header, day)
    session, keys, changed = rebuilt(project, first[1])
    holding = reached(session, DAY, DAY + dt.timedelta(days=1), dt.timedelta(0))
    within = reached(session, DAY, DAY + dt.timedelta(days=1), reach(session.config))
    assert "2026-W38" in holding and "2026-W38" in changed  # the week of the day read the new charges
    assert set(changed) <= set(session.fingerprinted)  # every changed week was fingerprinted
    assert set(holding) <= set(session.fingerprinted) <= set(within) | {session.weeks[-1]}
    assert len(session.fingerprinted) < len(session.weeks) // 2, session.fingerprinted
    kept = [w for w in session.weeks if w not in session.fingerprinted]
    assert kept and all(keys[w] == first[1][w] for w in kept)


def test_an_edit_of_an_old_file_refingerprints_its_old_weeks(
    first: tuple[Path, dict[str, str]], module_tmp: Path
) -> None:
    project = copied(first, module_tmp / "edited")
    path = project / "data/billing/focus_2026-06.csv.gz"
    header, rows = bill_rows(path)
    at = next(i for i, r in enumerate(rows) if ",2026-06-11T00:00:00Z,2026-06-10T00:00:00Z," in r)
    cells = next(csv.reader([rows[at]]))
    cells[1] = f"{float(cells[1]) * 3:.6f}"  # BilledCost of one charge of 2026-06-10, tripled
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    rows[at] = out.getvalue()
    write_bill(path, header, rows)
    session, keys, changed = rebuilt(project, first[1])
    assert "2026-W24" in session.fingerprinted and "2026-W24" in changed  # the week of 2026-06-10
    assert set(changed) <= set(session.fingerprinted)
    assert session.weeks[-2] not in session.fingerprinted  # November never reads June
    assert keys[session.weeks[-2]] == first[1][session.weeks[-2]]


def test_a_changed_configuration_fingerprints_every_week(
    first: tuple[Path, dict[str, str]], module_tmp: Path
) -> None:
    project = copied(first, module_tmp / "config")
    text = (project / "sentinel.yaml").read_text(encoding="utf-8")
    (project / "sentinel.yaml").write_text(text + "\n# edited\n", encoding="utf-8")
    session = Session(project, jobs=1)
    session.week_keys(session.weeks)
    assert session.fingerprinted == session.weeks
