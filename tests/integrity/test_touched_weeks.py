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

from sentinel_reports.analysis import fingerprint
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
    fingerprint._MEMO.clear()  # from scratch: every row hashed, no per-day sum of the previous build
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
    # every week of the example reads the June bill: the memory of recommendations reads 26 weeks back
    # (timeline.lookback), and the example has 25; a week left unfingerprinted keeps its key
    for week in set(session.weeks) - set(session.fingerprinted):
        assert keys[week] == first[1][week]


def test_a_changed_configuration_fingerprints_every_week(
    first: tuple[Path, dict[str, str]], module_tmp: Path
) -> None:
    project = copied(first, module_tmp / "config")
    text = (project / "sentinel.yaml").read_text(encoding="utf-8")
    (project / "sentinel.yaml").write_text(text + "\n# edited\n", encoding="utf-8")
    session = Session(project, jobs=1)
    session.week_keys(session.weeks)
    assert session.fingerprinted == session.weeks


def next_day_of_bill(project: Path) -> None:
    """The last day of the newest FOCUS bill, one day later, as a new file (bill rows; the demo's telemetry
    files are one per source, and the globbed Datadog history records no time range per file)."""
    newest = sorted((project / "data/billing").glob("*.csv.gz"))[-1]
    header, rows = bill_rows(newest)
    last = max(next(csv.reader([r]))[header.split(",").index("ChargePeriodStart")][:10] for r in rows)
    start = header.split(",").index("ChargePeriodStart")
    day = []
    for row in rows:
        cells = next(csv.reader([row]))
        if cells[start][:10] != last:
            continue
        for col in ("ChargePeriodStart", "ChargePeriodEnd"):
            i = header.split(",").index(col)
            at = dt.datetime.fromisoformat(cells[i].replace("Z", "+00:00")) + dt.timedelta(days=1)
            cells[i] = at.isoformat().replace("+00:00", "Z")
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(cells)
        day.append(out.getvalue())
    assert day
    write_bill(project / "data/billing/focus_2026-11-next-day.csv.gz", header, day)


def test_a_new_day_hashes_only_the_rows_of_the_days_it_reaches(
    first: tuple[Path, dict[str, str]], module_tmp: Path
) -> None:
    project = copied(first, module_tmp / "new-day")
    next_day_of_bill(project)
    fingerprint._MEMO.clear()
    hashed = fingerprint.stats["rows_hashed"]
    session = Session(project, jobs=1)
    for week in session.weeks:  # as a build asks: week by week, each with the weeks its trends plot
        session.week_keys(
            [week, *session.weeks[max(0, session.weeks.index(week) - 3) : session.weeks.index(week)]]
        )
    hashed = fingerprint.stats["rows_hashed"] - hashed
    p = session.project
    assert session._days_reused
    assert session.fingerprinted and len(session.fingerprinted) < 4, session.fingerprinted
    # only rows of the days the new files can reach, and of the days the fingerprinted windows cut in part
    margin = int(reach(session.config).total_seconds() * 1e9)
    starts = [pd_ns(f.start) for r in p.dataset.sources for f in r.files if "next" in f.path]
    lo = min(starts) - margin
    total = sum(len(getattr(p.dataset, name)) for name, _ in fingerprint.FRAMES)
    near = sum(
        int((fingerprint.column_ns(getattr(p.dataset, name)[col]) >= lo - 2 * fingerprint.DAY_NS).sum())
        for name, col in fingerprint.FRAMES
    )
    edges = 0
    for week in session.fingerprinted:
        since, _at, _closed = window(p.config, "week", week, p.as_of)
        day0 = fingerprint.to_ns(since) // fingerprint.DAY_NS * fingerprint.DAY_NS
        for name, col in fingerprint.FRAMES:
            ts = fingerprint.column_ns(getattr(p.dataset, name)[col])
            edges += int(((ts >= day0) & (ts < day0 + fingerprint.DAY_NS)).sum())
    assert 0 < hashed <= near + edges, (hashed, near, edges)
    assert hashed < total / 20, (hashed, total)
    # the same fingerprints as a computation from scratch (rebuilt clears the memo), every week's key kept
    # or given by the digest of all rows
    _session, keys, changed = rebuilt(project, first[1])
    assert set(changed) <= set(session.fingerprinted)
    assert keys == session.facts_keys


def pd_ns(text: str) -> int:
    return fingerprint.to_ns(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))


def test_stored_day_sums_that_disagree_with_the_rows_are_not_reused(
    first: tuple[Path, dict[str, str]], module_tmp: Path
) -> None:
    project = copied(first, module_tmp / "tampered")
    session = Session(project, jobs=1)
    p = session.project
    stored = fingerprint.day_sums(p.dataset)
    day, rows, total = stored["costs"][3]
    stored["costs"][3] = [day, rows + 1, total]  # a day that gained a row no changed file explains
    fingerprint._MEMO.clear()
    assert not fingerprint.reuse_days(p.dataset, stored, [])
    stored["costs"][3] = [day, rows, total]
    assert fingerprint.reuse_days(p.dataset, stored, [])
    since, at, _ = window(p.config, "week", session.weeks[-3], p.as_of)
    reused = period_fingerprint(p.dataset, p.config, "week", session.weeks[-3], p.as_of)
    fingerprint._MEMO.clear()
    assert reused == period_fingerprint(p.dataset, p.config, "week", session.weeks[-3], p.as_of)
    assert since < at


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_day_membership_and_counts_agree_with_numpy(seed: int) -> None:
    """The day table `reuse_days` uses (membership by a lookup over the days' range, counts by bincount)
    gives what `np.isin` and `np.unique` give, days before 1970 and days far apart included."""
    import numpy as np

    rng = np.random.default_rng(seed)
    days = np.concatenate([rng.integers(-400, 400, 5000), [20_000, -20_000]]).astype("int64")
    wanted = np.unique(np.concatenate([rng.integers(-500, 500, 60), [25_000]])).astype("int64")
    assert np.array_equal(fingerprint._member(days, wanted), np.isin(days, wanted))
    present, counts = np.unique(days, return_counts=True)
    assert fingerprint._day_counts(days) == dict(zip(present.tolist(), counts.tolist(), strict=True))
    empty = np.empty(0, dtype="int64")
    assert fingerprint._member(empty, wanted).shape == (0,)
    assert not fingerprint._member(days, empty).any()
    assert fingerprint._day_counts(empty) == {}
