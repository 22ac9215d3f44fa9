"""What the PagerDuty and incident.io collectors share: incident exports (JSON, a list of pages, a bare
list or JSON Lines) as one list of incident objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import SourceError
from .io import file_format, read_json, read_jsonl, read_table


def incident_records(path: Path, list_key: str) -> list[dict[str, Any]]:
    """The incident objects of a JSON/JSONL/CSV export: pages with `list_key`, lists of pages, or bare lists."""
    file = str(path)
    kind = file_format(path)
    if kind == "csv":
        frame = read_table(path)
        return [{str(k).strip(): v for k, v in rec.items()} for rec in frame.to_dict(orient="records")]
    doc: Any = read_jsonl(path) if kind == "jsonl" else read_json(path) if kind == "json" else None
    if doc is None:
        raise SourceError(file, "unsupported file type", expected=".json, .jsonl or .csv", found=path.suffix)
    pages = doc if isinstance(doc, list) else [doc]
    out: list[dict[str, Any]] = []
    for i, page in enumerate(pages):
        if isinstance(page, dict) and isinstance(page.get(list_key), list):
            items = page[list_key]
        elif isinstance(page, dict) and isinstance(doc, list):
            items = [page]  # a bare list of incidents
        else:
            raise SourceError(
                file, "not an incident export", column=f"[{i}]" if isinstance(doc, list) else "(top level)",
                expected=f'an object with a "{list_key}" list, or a list of incidents', found=type(page).__name__,
            )  # fmt: skip
        for item in items:
            if not isinstance(item, dict):
                raise SourceError(
                    file, "not an incident object", row=len(out) + 1, expected="an object", found=item
                )
            out.append(item)
    return out
