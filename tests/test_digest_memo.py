"""Input digests remembered by file metadata: reused only while the file is provably untouched."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from sentinel_reports.cache.memo import DigestMemo


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_unchanged_file_is_not_read_again_and_an_edit_is_seen(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "bill.csv"
    data.write_bytes(b"a,b\n1,2\n")
    old = data.stat().st_mtime_ns - 10_000_000_000
    os.utime(data, ns=(old, old))
    memo = DigestMemo(tmp_path / "cache")
    assert memo.digest(data) == sha(b"a,b\n1,2\n")
    memo.save()

    reads: list[Path] = []
    import sentinel_reports.cache.memo as memo

    real = memo.file_digest
    monkeypatch.setattr(memo, "file_digest", lambda p: reads.append(p) or real(p))
    again = DigestMemo(tmp_path / "cache")
    assert again.digest(data) == sha(b"a,b\n1,2\n") and reads == []

    data.write_bytes(b"a,b\n9,9\n")  # same size; the mtime is put back, the ctime cannot be
    os.utime(data, ns=(old, old))
    third = DigestMemo(tmp_path / "cache")
    assert third.digest(data) == sha(b"a,b\n9,9\n") and reads == [data]


def test_without_a_folder_every_file_is_hashed(tmp_path: Path) -> None:
    data = tmp_path / "x"
    data.write_bytes(b"x")
    memo = DigestMemo(None)
    assert memo.digest(data) == sha(b"x")
    memo.save()
    assert list(tmp_path.iterdir()) == [data]
