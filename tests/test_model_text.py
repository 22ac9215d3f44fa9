"""Text cleaning on input (model.clean_text): C0 controls but tab and newline, DEL and bidi controls go;
every other character stays; incident records and canonical frames are cleaned where they are made."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sentinel_reports.model import UNSAFE_CHARS, Incident, IncidentUpdate, clean_text, clean_tree, conform

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x00b", "ab"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("crlf\r\nlone\rcr", "crlf\nlone\ncr"),
        ("esc\x1b[31mred", "esc[31mred"),
        ("del\x7f", "del"),
        (f"bidi{BIDI}end", "bidiend"),
        (
            "emoji 🚨, accents é, Arabic مرحبا, zero-width joiner \u200d",
            "emoji 🚨, accents é, Arabic مرحبا, zero-width joiner \u200d",
        ),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@given(st.text())
def test_clean_text_leaves_no_unsafe_character_and_is_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    assert not UNSAFE_CHARS.search(cleaned) and "\r" not in cleaned
    assert clean_text(cleaned) == cleaned


def test_clean_tree_cleans_keys_and_values() -> None:
    assert clean_tree({"a\x00": ["b\u202e", 1, {"c": "d\x07"}]}) == {"a": ["b", 1, {"c": "d"}]}


def test_incidents_and_updates_are_cleaned() -> None:
    at = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    inc = Incident(
        id="INC-1\x00", title="Errors\x00 in\u202e chat", severity="SEV2", status="resolved",
        components=("chat\u2066",), started_at=at, created_at=at, detected_at=None, acknowledged_at=None,
        mitigated_at=None, resolved_at=at, customer_impact=False, source="csv",
        updates=(IncidentUpdate(at, "resolved", "fixed\x1b"),),
    )  # fmt: skip
    assert (inc.id, inc.title, inc.components, inc.updates[0].body) == (
        "INC-1",
        "Errors in chat",
        ("chat",),
        "fixed",
    )


def test_frame_text_columns_are_cleaned() -> None:
    frame = pd.DataFrame(
        {"ts": [pd.Timestamp("2026-11-20", tz="UTC")] * 2, "component": ["chat", "chat"],
         "model_version": ["v1\x00", "v1"], "eval_name": ["faith\u202efulness", "x"], "passed": [1, 2],
         "total": [2, 2], "source": ["evals", "evals"]}
    )  # fmt: skip
    out = conform("evals", frame)
    assert list(out["model_version"]) == ["v1", "v1"] and list(out["eval_name"]) == ["faithfulness", "x"]
