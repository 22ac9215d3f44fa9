"""DuckDB scans request-log files itself: Parquet, CSV and JSONL (gzip too), a glob or hive-partitioned folders.

`plan` decides from the files' schemas whether every field can be read in SQL with exactly the meaning
the careful reader (`reading`, `normalise`) gives it: typed Parquet timestamps, numbers and text, CSV text
with ISO 8601 times in a UTC project, plain columns and keys of JSON-text columns (`metadata.usage.x`);
JSONL keys and keys of nested objects, with times as ISO 8601 text in a UTC project (`jsonl` settles
what the careful reader would infer from every line). Anything else (epoch numbers, struct columns of
Parquet, Langfuse row kinds, naive times outside UTC, JSON lists, ...) returns None and the careful reader
takes the files.

`validate` then runs one query per file before the aggregation, over the times, component, status and
id columns: row counts, time spans, distinct component and status values, and whether a row breaks a rule
(an unreadable time, a missing start, an end before the start). The token and cost cells (an unreadable
number, a negative or infinite amount, invalid JSON) are checked by the aggregation in its own scan
(`Columns.late`, the `bad` aggregate), so those columns are read and the JSON parsed once. A JSONL file
is first read as raw lines (`_lenient`), for what DuckDB's parser accepts and the careful reader does not
(`jsonl.guard`); its validation also proves what the first lines settled (`Plan.absent`, ids that are
strings, numbers that are JSON numbers). When a file has a bad row (or DuckDB refuses the file), the files are read again by the careful reader, which raises the same error,
naming file, row, column, expected and found, that the product always gave: DuckDB's own exceptions never
reach the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ...errors import SourceError
from ..base import EARLIEST, END, MAX_COUNT
from ..engine import Engine, ibis
from ..io import file_format
from . import jsonl
from .aggregate import SUM_SIGNALS, VALUE_MASK
from .formats import FAILURE_WORDS, NUMBER_FIELDS, FormatSpec
from .reading import NULLS, _csv_header

TIME_TYPES = ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE")
NUMBER_TYPES = (
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
    "FLOAT", "DOUBLE", "HUGEINT",
)  # fmt: skip
JSON_NUMBERS = ("UBIGINT", "BIGINT", "DOUBLE", "HUGEINT")
FILE_BITS = 40  # row = file index << FILE_BITS | row in the file


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def s(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class Field:
    column: str  # the file's column
    keys: tuple[str, ...] = ()  # key path inside a JSON-text column (JSONL: inside an object)
    type: str = "VARCHAR"
    raw: bool = False  # JSONL: the value read as its JSON text (a string keeps its quotes)

    @property
    def path(self) -> str:
        return ".".join((self.column, *self.keys))


@dataclass
class Plan:
    kind: str  # parquet, csv or jsonl
    files: list[Path]
    fields: dict[str, Field]
    tz: str
    latency_unit: str | None  # None: inferred from rows with both times, as the careful reader does
    default_unit: str
    subtract_cache: bool
    allow_negative_cost: bool
    json_columns: set[str] = field(default_factory=set)
    json: dict[str, str] | None = None  # column -> json_transform structure
    declared: dict[str, str] = field(default_factory=dict)  # JSONL: column -> DuckDB type read
    absent: list[Field] = field(default_factory=list)  # JSONL: candidates that must hold no value


def _schema(engine: Engine, path: Path, kind: str) -> dict[str, str] | None:
    try:
        if kind == "parquet":
            rows = engine.sql("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).to_pylist()
        else:
            rows = engine.sql(f"DESCRIBE SELECT * FROM {_csv(path)}").to_pylist()
    except (duckdb.Error, SourceError):
        return None
    return {r["column_name"]: r["column_type"] for r in rows}


def _csv(path: Path) -> str:
    """read_csv of every column as text, with the header the careful reader sees and its null spellings."""
    nulls = "[" + ", ".join(s(n) for n in NULLS) + "]"
    header = _csv_header(path)
    if not header or len(set(header)) != len(header):
        raise duckdb.InvalidInputException("no usable header")  # the careful reader explains
    columns = "{" + ", ".join(f"{s(c)}: 'VARCHAR'" for c in header) + "}"
    return (
        f"read_csv({s(str(path))}, header = true, columns = {columns}, delim = ',', quote = '\"', "
        f"escape = '\"', nullstr = {nulls}, auto_detect = false, strict_mode = true)"
    )


def plan(
    engine: Engine,
    paths: list[Path],
    candidates: dict[str, tuple[str, ...]],
    options,
    spec: FormatSpec,
    tz: str,
) -> Plan | None:  # noqa: ANN001
    """How DuckDB reads every file, or None when the careful reader must (see the module docstring)."""
    if not engine.reads_files or not paths:
        return None
    kinds = {file_format(p) for p in paths}
    if len(kinds) != 1 or "json" in kinds:
        return None
    kind = kinds.pop()
    if kind == "csv" and any(p.name.lower().endswith((".tsv", ".tsv.gz")) for p in paths):
        return None
    if "kind" in candidates and spec.kinds:
        return None
    if kind == "jsonl":
        return _plan_jsonl(paths, candidates, options, spec, tz)
    chosen: dict[str, Field] | None = None
    for path in paths:
        schema = _schema(engine, path, kind)
        if schema is None:
            return None
        fields = _fields(schema, candidates)
        if fields is None or (chosen is not None and fields != chosen):
            return None
        chosen = fields
    assert chosen is not None
    for name in ("start", "end", "first_token"):
        f = chosen.get(name)
        if f is None:
            continue
        if f.keys or f.type not in TIME_TYPES + ("VARCHAR",):
            return None
        naive = f.type != "TIMESTAMP WITH TIME ZONE"
        if naive and tz != "UTC":
            return None
    for name in NUMBER_FIELDS:
        f = chosen.get(name)
        if f is not None and not f.keys and f.type not in NUMBER_TYPES + ("VARCHAR",):
            return None
    for name in ("component", "id"):
        f = chosen.get(name)
        if f is not None and f.type != ("JSON" if f.keys and name == "component" else "VARCHAR"):
            return None
    status = chosen.get("status")
    if status is not None and (status.keys or status.type not in NUMBER_TYPES + ("VARCHAR", "BOOLEAN")):
        return None
    if "start" not in chosen or "component" not in chosen:
        return None  # the careful reader names the missing column
    out = _plan(
        kind, paths, chosen, tz, options, spec, json_columns={f.column for f in chosen.values() if f.keys}
    )
    out.json = json_structure(out)
    return out if out.json is not None else None


def _plan_jsonl(
    paths: list[Path], candidates: dict[str, tuple[str, ...]], options, spec: FormatSpec, tz: str
) -> Plan | None:  # noqa: ANN001
    """JSONL: the fields the first lines of every file show (`jsonl.fields`); times as text, in a UTC
    project only (naive times are read as UTC), every other value as its JSON text."""
    found = jsonl.fields(paths, candidates)
    if found is None or tz != "UTC":
        return None
    chosen, absent, declared = found
    fields = {
        name: Field(
            column, keys, "VARCHAR" if name in jsonl.TIME_FIELDS else "JSON", name not in jsonl.TIME_FIELDS
        )
        for name, (column, keys) in chosen.items()
    }
    if "start" not in fields or "component" not in fields:
        return None  # the careful reader names the missing column
    if any(fields[name].keys for name in jsonl.TIME_FIELDS if name in fields):
        return None
    absent_fields = [Field(column, keys, "JSON", True) for column, keys in sorted(absent)]
    return _plan("jsonl", paths, fields, tz, options, spec, json={}, declared=declared, absent=absent_fields)


def _plan(
    kind: str,
    paths: list[Path],
    fields: dict[str, Field],
    tz: str,
    options: Any,
    spec: FormatSpec,
    **extra: Any,
) -> Plan:
    """The plan of reading `paths` as `kind` with these fields and the source's units and options."""
    return Plan(
        kind=kind,
        files=list(paths),
        fields=fields,
        tz=tz,
        latency_unit=options.latency_unit,
        default_unit=spec.latency_unit,
        subtract_cache=spec.input_includes_cache and "tokens_input" not in options.columns,
        allow_negative_cost=options.allow_negative_cost,
        **extra,
    )


def _fields(schema: dict[str, str], candidates: dict[str, tuple[str, ...]]) -> dict[str, Field] | None:
    out: dict[str, Field] = {}
    for name, paths in candidates.items():
        for path in paths:
            if path in schema:
                out[name] = Field(path, (), schema[path])
                break
            root, *keys = path.split(".")
            if keys and root in schema:
                if schema[root] != "VARCHAR":
                    return None  # a struct column: the careful reader
                out[name] = Field(root, tuple(keys), "JSON")
                break
    return out


# ------------------------------------------------------------------ SQL


def _json(f: Field) -> str:
    """The leaf as text, from the column's JSON parsed once per row into a struct (`_source`); JSONL:
    the leaf's JSON text, from the object DuckDB read as a struct."""
    leaf = q(f.column if f.raw else f"_j_{f.column}") + "".join(f"[{s(k)}]" for k in f.keys)
    return f"CAST({leaf} AS VARCHAR)" if f.raw else leaf


def json_structure(p: Plan) -> dict[str, str] | None:
    """Per JSON-text column, the json_transform structure of the wanted leaves, every one VARCHAR (a
    number's text converts to DOUBLE exactly as json_transform's DOUBLE would, `_number`); None when one
    wanted key is also the parent of another."""
    out = {}
    for column in sorted(p.json_columns):
        tree: dict = {}
        for f in p.fields.values():
            if f.column != column or not f.keys:
                continue
            node = tree
            for key in f.keys[:-1]:
                node = node.setdefault(key, {})
                if not isinstance(node, dict):
                    return None
            if isinstance(node.get(f.keys[-1]), dict):
                return None
            node[f.keys[-1]] = "VARCHAR"
        import json

        out[column] = json.dumps(tree)
    return out


def _number(f: Field) -> tuple[str, str]:
    """(value as DOUBLE, condition of a bad cell)."""
    if f.raw:  # JSONL: a JSON number (a string, true or an object is a cell the careful reader judges)
        text = _text(f)[0]
        value = f"TRY_CAST({text} AS DOUBLE)"
        return value, f"({text} IS NOT NULL AND ({value} IS NULL OR isnan({value}) OR isinf({value})))"
    if f.keys:  # text that is not a number, true/false, an object: the careful reader decides
        # json_transform to DOUBLE gives these same values for every leaf but true and false (1 and 0),
        # which are bad cells; the JSON is parsed once, as text
        text = _json(f)
        value = f"TRY_CAST({text} AS DOUBLE)"
        return value, f"({text} IS NOT NULL AND ({value} IS NULL OR {text} IN ('true', 'false')))"
    if f.type == "VARCHAR":
        value = f"TRY_CAST({q(f.column)} AS DOUBLE)"
        return value, f"({q(f.column)} IS NOT NULL AND {value} IS NULL)"
    return f"CAST({q(f.column)} AS DOUBLE)", "false"


def _time(f: Field) -> tuple[str, str]:
    """(int64 ns since the epoch, condition of a bad cell)."""
    col = q(f.column)
    if f.type == "VARCHAR":
        value = f"epoch_ns(TRY_CAST({col} AS TIMESTAMPTZ))"
        # more than microseconds would be truncated by TIMESTAMPTZ: the careful reader keeps nanoseconds
        bad = f"({col} IS NOT NULL AND ({value} IS NULL OR regexp_matches({col}, '\\.[0-9]{{7,}}')))"
    else:
        value, bad = f"epoch_ns({col})", "false"
    return value, f"({bad} OR {value} < {EARLIEST.value} OR {value} >= {END.value})"


def _status(f: Field) -> str:
    """The failed flag (a missing status is a success)."""
    col = q(f.column)
    if f.type == "BOOLEAN":
        return f"NOT coalesce({col}, true)"
    if f.type in NUMBER_TYPES:
        return f"coalesce(CAST({col} AS DOUBLE) < 200 OR CAST({col} AS DOUBLE) >= 300, false)"
    text = f"lower(regexp_replace({col}, '^\\s+|\\s+$', '', 'g'))"
    words = ", ".join(s(w) for w in FAILURE_WORDS)
    code = f"TRY_CAST({text} AS BIGINT)"
    digits = f"regexp_full_match({text}, '[0-9]+')"
    return f"coalesce({text} IN ({words}) OR ({digits} AND ({code} < 200 OR {code} >= 300)), false)"


def _text(f: Field) -> tuple[str, str]:
    if f.keys:
        return _json(f), "false"
    if f.raw:
        return f"CAST({q(f.column)} AS VARCHAR)", "false"
    return q(f.column), "false"


EARLY = ("start", "component", "end", "first_token", "latency", "ttft", "status", "id", "absent")


@dataclass
class Columns:
    """SQL of the normalised columns and of the bad-cell checks, in the order the careful reader checks."""

    values: dict[str, str]
    checks: list[tuple[str, str]]  # (field, condition)
    ratios: dict[str, str]  # duration field -> given / measured, for unit inference
    late: bool = False  # the checks of token and cost fields run in the aggregation's scan (`late_checks`)

    def early_checks(self) -> list[tuple[str, str]]:
        """The checks the validation query makes: every one, or only those of the fields it reads anyway."""
        return [c for c in self.checks if not self.late or c[0] in EARLY]

    def late_checks(self) -> list[tuple[str, str]]:
        """The checks the aggregation makes in its own scan (token and cost cells, JSON leaves included)."""
        return [c for c in self.checks if self.late and c[0] not in EARLY]


def columns(p: Plan) -> Columns:
    f = p.fields
    values: dict[str, str] = {}
    checks: list[tuple[str, str]] = []
    start, bad = _time(f["start"])
    checks.append(("start", f"({bad} OR {start} IS NULL)"))
    values["start_ns"] = start
    comp, bad = _text(f["component"])
    checks.append(("component", bad))
    values["component_text"] = comp
    ratios = {}
    for name, end_field, out in (("latency", "end", "latency_ms"), ("ttft", "first_token", "ttft_ms")):
        measured = None
        if end_field in f:
            end, bad = _time(f[end_field])
            checks.append((end_field, bad))
            measured = f"((CAST({end} AS DOUBLE) - CAST({start} AS DOUBLE)) / 1e6)"
            checks.append((end_field, f"({measured} < 0)"))
        given = None
        if name in f:
            given, bad = _number(f[name])
            checks.append((name, bad))
        if measured is None and given is None:
            continue
        if given is not None and measured is not None:
            ratios[name] = f"median({given} / {measured}) FILTER (WHERE {given} > 0 AND {measured} > 0)"
        if given is None:
            values[out] = measured
        elif measured is None:
            values[out] = f"({given} * {{unit_{name}}})"
        else:
            values[out] = f"coalesce({measured}, {given} * {{unit_{name}}})"
    if "status" not in f:
        values["good"] = "true"
    elif f["status"].raw:  # JSONL: few distinct JSON texts, decoded and judged once each (`jsonl`)
        values["status_text"] = _text(f["status"])[0]
        values["good"] = "{status_good}"
    elif f["status"].type == "VARCHAR":  # few distinct words: judged once each by the careful reader's rule
        values["status_text"] = q(f["status"].column)
        values["good"] = "{status_good}"
    else:
        values["good"] = f"NOT ({_status(f['status'])})"
    for name in ("tokens_input", "tokens_output", "tokens_cache_read", "tokens_cache_write", "cost"):
        if name not in f:
            continue
        value, bad = _number(f[name])
        negative = "false" if name == "cost" and p.allow_negative_cost else f"{value} < 0"
        too_big = "false" if name == "cost" else f"{value} > {MAX_COUNT!r}"
        checks.append((name, f"({bad} OR isinf({value}) OR {negative} OR {too_big})"))
        values["cost_requests" if name == "cost" else name] = value
    if p.subtract_cache and "tokens_input" in values:
        cached = "0.0"
        for k in ("tokens_cache_read", "tokens_cache_write"):
            if k in values:
                cached = f"({cached} + coalesce({values[k]}, 0.0))"
        raw = values["tokens_input"]
        values["tokens_input"] = f"CASE WHEN {raw} IS NULL THEN NULL ELSE greatest({raw} - {cached}, 0.0) END"
    if "id" in f:
        values["id"] = _text(f["id"])[0] if f["id"].raw else q(f["id"].column)
        if f["id"].raw:  # JSONL: a string (its JSON text is unique to it); a number the careful reader reads
            checks.append(("id", f"({values['id']} IS NOT NULL AND NOT starts_with({values['id']}, '\"'))"))
    for a in p.absent:  # JSONL: a candidate the sampled lines did not hold holds no value on any line
        checks.append(("absent", f"({_text(a)[0]} IS NOT NULL)"))
    # One scan reads the token and cost columns (and parses JSON text) only when the fields the
    # validation query needs (times, component, status, id) are plain columns: their checks then run in
    # the aggregation, and a bad cell found there sends the files to the careful reader as before.
    late = not any(f[name].keys for name in EARLY if name in f)
    return Columns(values, checks, ratios, late)


def _source(p: Plan, index: int, *, parse: bool = True, numbered: bool = True) -> str:
    """The file's rows with `_row` and each JSON-text column parsed once (`_j_<column>`, unless not
    `parse`); invalid JSON is a DuckDB error, and then the careful reader reads the file and names the
    row. JSONL rows are numbered only if `numbered` (the validation query needs no numbers)."""
    path = p.files[index]
    parsed = "".join(
        f", json_transform(NULLIF({q(c)}, ''), {s(structure)}) AS {q('_j_' + c)}"
        for c, structure in (p.json or {}).items()
        if parse
    )
    if p.kind == "parquet":
        return (
            f"(SELECT *, ({index}::BIGINT << {FILE_BITS}) | file_row_number AS _row{parsed} "
            f"FROM read_parquet({s(str(path))}, file_row_number = true))"
        )
    if p.kind == "jsonl":
        if not numbered:
            return f"(SELECT * FROM {_ndjson(p, path)})"
        return f"(SELECT *, ({index}::BIGINT << {FILE_BITS}) | (row_number() OVER () - 1) AS _row FROM {_ndjson(p, path)})"
    return f"(SELECT *, ({index}::BIGINT << {FILE_BITS}) | (row_number() OVER () - 1) AS _row{parsed} FROM {_csv(path)})"


def _ndjson(p: Plan, path: Path) -> str:
    """read_json of the declared columns only, one object per line, no detection."""
    columns = "{" + ", ".join(f"{s(c)}: {s(t)}" for c, t in sorted(p.declared.items())) + "}"
    return (
        f"read_json({s(str(path))}, format = 'newline_delimited', records = true, columns = {columns}, "
        f"auto_detect = false, compression = {s(jsonl.compression(path))})"
    )


def _lenient(engine: Engine, p: Plan, index: int) -> bool:
    """JSONL: whether a line holds what DuckDB reads and the careful reader refuses or reads otherwise
    (`jsonl.guard`), over the raw lines; a file DuckDB cannot split into lines counts too."""
    path = p.files[index]
    names = {a.keys[-1] if a.keys else a.column for a in p.absent}
    quick, exact = jsonl.guard(names)
    maybe = " OR ".join(f"regexp_matches(json, {s(r)})" for r in quick)
    query = (
        f"SELECT coalesce(bool_or(CASE WHEN {maybe} THEN regexp_matches(json, {s(exact)}) ELSE false END), "
        f"false) AS hit FROM read_ndjson_objects({s(str(path))}, compression = {s(jsonl.compression(path))})"
    )
    try:
        return bool(engine.sql(query).to_pylist()[0]["hit"])
    except duckdb.Error:
        return True


@dataclass
class FileStats:
    rows: int
    first_ns: int | None
    last_ns: int | None
    bad: bool
    components: list[str | None]
    ratios: dict[str, float | None]
    statuses: list[str] = field(default_factory=list)  # distinct status texts
    repeats: bool = True  # the file may hold a request twice


def chunks(stats: list[FileStats], step_ns: int, limit: int) -> list[list[int]]:
    """The files (indices) in groups that one query each aggregates: in time order, a group closed once
    it holds `limit` rows and the next file's first interval comes after every interval of the group, so
    no component × interval has rows in two groups and the groups' results are simply put together. The
    engine then holds the per-group latency lists of one group of files at a time, not of the whole
    source (hive partitions by day: a few weeks at a time). Files without rows add nothing and are left
    out."""
    order = sorted(
        (i for i, st in enumerate(stats) if st.rows and st.first_ns is not None),
        key=lambda i: (stats[i].first_ns, stats[i].last_ns, i),
    )
    out: list[list[int]] = []
    rows, last = 0, None
    for i in order:
        first = stats[i].first_ns // step_ns  # type: ignore[operator]
        if out and not (rows >= limit and first > last):
            out[-1].append(i)
            rows += stats[i].rows
        else:
            out.append([i])
            rows = stats[i].rows
            last = None
        end = stats[i].last_ns // step_ns  # type: ignore[operator]
        last = end if last is None else max(last, end)
    return [sorted(c) for c in out]


def may_repeat(stats: list[FileStats]) -> bool:
    """Whether a request may be logged twice: within a file, or in two files whose time spans overlap."""
    if any(st.repeats for st in stats):
        return True
    spans = sorted((st.first_ns, st.last_ns) for st in stats if st.first_ns is not None)
    return any(b[0] <= a[1] for a, b in zip(spans, spans[1:], strict=False))


def validate(engine: Engine, p: Plan, cols: Columns) -> list[FileStats] | None:
    """Per file: counts, span, distinct component values and whether any cell breaks a rule; None when
    DuckDB refuses a file (the careful reader then explains why)."""
    bad = " OR ".join(f"coalesce({c}, false)" for _, c in cols.early_checks()) or "false"
    ratio_sql = "".join(f", {r} AS ratio_{k}" for k, r in cols.ratios.items())
    if "status_text" in cols.values:
        ratio_sql += f", list(DISTINCT {cols.values['status_text']}) AS statuses"
    key = (
        cols.values["start_ns"]
        if "id" not in cols.values
        else f"hash({cols.values['start_ns']}, {cols.values['id']})"
    )
    ratio_sql += f", count(DISTINCT {key}) AS keys"  # as many as rows: no request is repeated (a hash
    # collision only makes the aggregation look for repeats it will not find)
    out = []
    try:
        for i in range(len(p.files)):
            if p.kind == "jsonl" and _lenient(engine, p, i):
                return [FileStats(0, None, None, True, [], {})]  # the careful reader explains
            query = (
                f"SELECT count(*) AS n, min({cols.values['start_ns']}) AS lo, max({cols.values['start_ns']}) AS hi, "
                f"bool_or({bad}) AS bad, list(DISTINCT {cols.values['component_text']}) AS comps, "
                f"count(*) FILTER (WHERE {cols.values['component_text']} IS NULL) AS no_comp{ratio_sql} "
                f"FROM {_source(p, i, parse=not cols.late, numbered=False)}"
            )
            row = (engine.sql(query) if p.kind == "jsonl" else _guarded(engine, p, query)).to_pylist()[0]
            comps = list(row["comps"] or []) + ([None] if row["no_comp"] else [])
            ratios = {k: row[f"ratio_{k}"] for k in cols.ratios}
            statuses = [v for v in row.get("statuses") or [] if v is not None]
            out.append(
                FileStats(
                    row["n"],
                    row["lo"],
                    row["hi"],
                    bool(row["bad"]),
                    comps,
                    ratios,
                    statuses,
                    row["keys"] < row["n"],
                )
            )
    except duckdb.Error:
        return None
    return out


def _guarded(engine: Engine, p: Plan, query: str):  # noqa: ANN202
    if p.kind == "parquet":
        return engine.sql(query)
    with engine.lock:  # CSV and JSONL rows are numbered in file order
        con = engine.con.con
        con.execute("SET preserve_insertion_order = true")
        try:
            return con.sql(query).to_arrow_table()
        finally:
            con.execute("SET preserve_insertion_order = false")


def relation(  # noqa: ANN201
    engine: Engine,
    p: Plan,
    cols: Columns,
    units: list[dict[str, str]],
    codes: dict[str, int],
    failures: list[str] = (),  # type: ignore[assignment]
    files: list[int] | None = None,
):
    """The normalised rows of the files (indices `files`, default every file) as an Ibis table over
    DuckDB (lazy: the aggregation runs it). `units` per file: the unit of its latency and TTFT columns;
    `codes`: component value -> code."""
    # one hash lookup per row (a CASE of one WHEN per value costs a comparison per value and row)
    lut = ", ".join(f"{s(v)}: {c}" for v, c in codes.items())
    comp = f"coalesce(MAP {{{lut}}}[{cols.values['component_text']}], -1)" if lut else "-1"
    good = cols.values["good"]
    if good == "{status_good}":
        failed = ", ".join(s(v) for v in failures)
        good = f"NOT coalesce({cols.values['status_text']} IN ({failed}), false)" if failures else "true"
    late = " OR ".join(f"coalesce({c}, false)" for _, c in cols.late_checks())
    selects = []
    for i in range(len(p.files)) if files is None else files:
        select = [
            "CAST(_row AS BIGINT) AS row",
            f"CAST({comp} AS INTEGER) AS component",
            f"CAST({cols.values['start_ns']} AS BIGINT) AS start_ns",
            f"CAST({good} AS BOOLEAN) AS good",
        ]
        for name in ("latency_ms", "ttft_ms"):
            if name in cols.values:
                value = cols.values[name]
                for k in ("latency", "ttft"):
                    value = value.replace(f"{{unit_{k}}}", "1000.0" if units[i].get(k) == "s" else "1.0")
                micros = f"round_even(({value}) * 1000.0, 0)"  # DuckDB's least() would turn null into the cap
                select.append(
                    f"CAST(CASE WHEN {micros} > {VALUE_MASK}.0 THEN {VALUE_MASK}.0 ELSE {micros} END / 1000.0 AS DOUBLE) AS {name}"
                )
            elif name == "latency_ms":
                select.append("CAST(NULL AS DOUBLE) AS latency_ms")
        for name in SUM_SIGNALS:
            if name in cols.values:
                select.append(f"CAST({cols.values[name]} AS DOUBLE) AS {name}")
        if "id" in cols.values:
            select.append(f"CAST({cols.values['id']} AS VARCHAR) AS id")
        if late:
            select.append(f"CAST({late} AS BOOLEAN) AS bad")
        selects.append(f"SELECT {', '.join(select)} FROM {_source(p, i)}")
    global _VIEWS
    _VIEWS += 1
    name = f"_sentinel_requests_{_VIEWS}"
    with engine.lock:
        engine.con.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {' UNION ALL '.join(selects)}")
    schema = {
        "row": "int64",
        "component": "int32",
        "start_ns": "int64",
        "good": "boolean",
        "latency_ms": "float64",
    }
    if "ttft_ms" in cols.values:
        schema["ttft_ms"] = "float64"
    schema.update({k: "float64" for k in SUM_SIGNALS if k in cols.values})
    if "id" in cols.values:
        schema["id"] = "string"
    if late:
        schema["bad"] = "boolean"
    return ibis().table(schema, name=name)


_VIEWS = 0
