"""The parse cache: round trip, corruption detection, key sensitivity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from sentinel_reports.cache import SourceCache, cache_key
from sentinel_reports.collectors.base import Batch
from sentinel_reports.model import Incident, IncidentUpdate, InputFile, conform

T0 = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)


def sample_batch() -> Batch:
    samples = conform(
        "samples",
        pd.DataFrame(
            {
                "ts": [T0, T0 + dt.timedelta(minutes=5)],
                "component": ["chat-api", "chat-api"],
                "signal": ["requests_total", "requests_total"],
                "value": [120.0, 118.0],
                "source": ["prom", "prom"],
            }
        ),
    )
    incident = Incident(
        id="PD-1",
        title="Provider errors",
        severity="SEV1",
        status="resolved",
        components=("chat-api",),
        started_at=T0,
        created_at=T0,
        detected_at=None,
        acknowledged_at=T0 + dt.timedelta(minutes=4),
        mitigated_at=None,
        resolved_at=T0 + dt.timedelta(hours=2),
        customer_impact=True,
        source="pd",
        updates=(IncidentUpdate(at=T0, status="investigating", body="Looking into elevated errors"),),
    )
    return Batch(
        samples=samples,
        incidents=[incident],
        files=[InputFile(path="data/x.json", sha256="ab" * 32, rows=2)],
        rows=3,
        duplicates_dropped=1,
        warnings=["one warning"],
        summary={"total": 12.5},
    )


def test_round_trip_preserves_frames_and_records(tmp_path: Path) -> None:
    cache = SourceCache(tmp_path)
    batch = sample_batch()
    cache.store("k1", batch)
    loaded = cache.load("k1")
    assert loaded is not None
    pd.testing.assert_frame_equal(loaded.samples, batch.samples)
    assert loaded.incidents == batch.incidents
    assert (loaded.rows, loaded.duplicates_dropped, loaded.warnings, loaded.summary) == (
        3,
        1,
        ["one warning"],
        {"total": 12.5},
    )
    assert loaded.files == batch.files


def test_the_checked_mark_is_kept_and_an_entry_without_it_is_unchecked(tmp_path: Path) -> None:
    cache = SourceCache(tmp_path)
    for key, checked in (("k1", True), ("k2", False)):
        batch = sample_batch()
        batch.checked = checked
        cache.store(key, batch)
        loaded = cache.load(key)
        assert loaded is not None and loaded.checked is checked


def test_corrupted_entry_is_discarded(tmp_path: Path) -> None:
    cache = SourceCache(tmp_path)
    cache.store("k1", sample_batch())
    parquet = tmp_path / "sources" / "k1" / "samples.parquet"
    parquet.write_bytes(parquet.read_bytes()[:-20])
    assert cache.load("k1") is None
    assert not (tmp_path / "sources" / "k1").exists()


def test_missing_entry_is_none(tmp_path: Path) -> None:
    assert SourceCache(tmp_path).load("nope") is None


def test_key_changes_with_files_options_and_timezone() -> None:
    base = cache_key("prometheus", {"signal": "requests_total"}, "UTC", [("a.json", "1" * 64)])
    assert base == cache_key("prometheus", {"signal": "requests_total"}, "UTC", [("a.json", "1" * 64)])
    assert base != cache_key("prometheus", {"signal": "requests_good"}, "UTC", [("a.json", "1" * 64)])
    assert base != cache_key(
        "prometheus", {"signal": "requests_total"}, "Europe/Berlin", [("a.json", "1" * 64)]
    )
    assert base != cache_key("prometheus", {"signal": "requests_total"}, "UTC", [("a.json", "2" * 64)])
