"""A source that reads a table of the engine (`table: logs.llm_requests`, `table: billing.focus`) instead of
files: what every such source does the same way (docs/engines.md).

- `open_table`: the Ibis table of a name (table, schema.table or catalog.schema.table); a missing one is a
  SourceError naming it.
- `fingerprint_stats` and `fingerprint_of`: a digest of the rows as the source reads them (row count,
  first and last time, the sum of a hash of every read column per row, as an exact DECIMAL), computed in
  the engine; it stands for a file's sha256 in the parse cache, the inputs key and the manifest.
- `first_row`: a table has no row numbers, so a bad row is named by the values of some of its columns
  (a request id; a FOCUS charge's period, service and resource), the first in a fixed order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..errors import shown_value
from .engine import Engine, ibis


@dataclass
class Check:
    """One check of every row of a table: the rows where `bad` holds are refused, the first named with
    `problem`, `expected` and the value of `found`."""

    column: str
    bad: Any  # boolean expression (null: not bad)
    problem: str
    expected: str
    found: Any  # the expression shown as found


def where_of(options: Any) -> str:
    return f"table {options.table}"


def open_table(engine: Engine, name: str, where: str) -> Any:
    """The Ibis table `name` (table, schema.table or catalog.schema.table) of the engine."""
    *space, table = name.split(".")
    database: Any = None if not space else space[0] if len(space) == 1 else tuple(space)
    try:
        with engine.lock:
            return engine.con.table(table, database=database)
    except Exception as exc:  # noqa: BLE001 - a missing table or schema is the user's to fix
        raise engine.failure(
            where, "cannot open this table", exc,
            expected="an existing table (for DuckDB, in the `engine.database` file; see docs/engines.md)",
        ) from None  # fmt: skip


def fingerprint_stats(t: Any, time: Any, columns: dict[str, Any]) -> dict[str, Any]:
    """The aggregate expressions a fingerprint needs (`rows`, `lo`, `hi`, `digest`), to run in one query
    with a source's own checks: `time` orders the rows (its first and last value), `columns` are every
    column the source reads, by name."""
    row = ibis().struct(columns)
    return {
        "rows": t.count(),
        "lo": time.min(),
        "hi": time.max(),
        "digest": row.hash().cast("decimal(38, 0)").sum().cast("string"),  # exact on every engine
    }


def fingerprint_of(engine: Engine, table: str, columns: list[str], stats: dict[str, Any]) -> str:
    """The table's fingerprint from `fingerprint_stats`' results."""
    material = "|".join(
        [
            engine.kind,
            table,
            *sorted(columns),
            *(str(stats[k]) for k in ("rows", "lo", "hi", "digest")),
        ]
    )
    return hashlib.sha256(material.encode()).hexdigest()


def first_row(
    engine: Engine,
    t: Any,
    bad: Any,
    named: dict[str, Any],
    order: list[Any],
    where: str,
    values: dict[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The first row (in `order`) where `bad` holds: its name from the `named` columns (`request_id
    'r-17'`), and the `values` asked for, computed on that row."""
    keys = {f"_key{i}": value for i, value in enumerate(named.values())}
    keys.update({f"_value_{k}": v for k, v in (values or {}).items()})
    expr = t.filter(bad.fill_null(False)).order_by(order).limit(1).select(**keys)
    row = engine.run(expr, source=where).to_pylist()[0]
    name = ", ".join(f"{label} {shown_value(row[f'_key{i}'])}" for i, label in enumerate(named))
    return name, {k: row[f"_value_{k}"] for k in values or {}}
