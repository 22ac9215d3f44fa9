"""`focus`: FinOps FOCUS 1.0, 1.1 and 1.2 cost-and-usage exports (CSV, CSV.gz or Parquet) into the cost ledger.

Source entry::

    - type: focus
      path: "data/billing/*.csv"          # or *.parquet; gzip is detected by content
      component_tag: component            # tag key whose value is a component id (optional)
      team_tag: team                      # tag key whose value is the owning team (optional)
      tag_values: {chat: chat-api}        # tag value -> component id, for tags that do not use our ids
      model_tag: model                    # tag key holding the LLM model id (optional)
      model_column: SkuId                 # or a column holding it (optional; the tag wins when both give one)
      team_from_owner: true               # a row with a component but no team gets the component's owner
      rules:                              # first matching rule fills what tags left empty
        - {match: {ServiceName: "Amazon Bedrock*", SubAccountName: prod-*}, component: chat-api}
        - {match: {ResourceId: "*vector*"}, team: Search team}
      provider: null                      # label for files with no provider column (default "unspecified")

Instead of `path`, `table: billing.focus` names a table of the engine holding the same columns
(`focus_engine`): its cells are checked and its charges summed in the engine, per distinct value of the
columns the ledger keys come from; those values are parsed by the functions below, as a file's cells are.

Columns read (all others are ignored):

| ledger        | FOCUS column                                                              |
|---------------|---------------------------------------------------------------------------|
| `day`         | ChargePeriodStart, floored to the UTC day                                 |
| `category`    | ChargeCategory lower-cased: usage, purchase, tax, credit, adjustment      |
| `cost`        | EffectiveCost                                                             |
| `billed_cost` | BilledCost                                                                |
| `currency`    | BillingCurrency                                                           |
| `provider`    | ServiceProviderName (1.3), else ProviderName (1.0–1.2), else Provider     |
| `service`     | ServiceName                                                               |
| `component`, `team`, `model` | Tags (the JSON key-value object of the spec) and `rules`   |

Rules match columns (any column of the file, e.g. ServiceName, ResourceId, SubAccountName) with shell
globs (`*`, `?`, `[..]`, case-sensitive); every pair in `match` must hold. Component ids coming from tags
or rules must name a configured component. Spend that no tag or rule attributes keeps component and team
empty: it is **unattributed spend**, reported with its amount and share in the summary.

Formats accepted, as found in the official samples: money with a currency sign, thousands commas and
trailing spaces (`"$10,000.00 "`), accounting negatives (`(12.00)`); dates in ISO 8601 or US `M/D/YY`;
`null` cells; a UTF-8 BOM; blank lines. FOCUS requires UTC, so naive dates are read as UTC unless the
entry sets `timezone`. Negative amounts are accepted for credits and adjustments, and for rows whose
ChargeClass is `Correction` (FOCUS corrections of earlier periods); a negative usage, purchase or tax
charge is a SourceError naming the row. A row in a currency other than the configured one is kept with
its currency, reported in the summary and a warning, and never added to the configured-currency totals.
A file without BillingCurrency (older samples) is read in the configured currency, with a warning.
Identical rows are distinct charges in FOCUS (the official samples contain some), so none are dropped.

Parsing is vectorised with pyarrow: values that repeat (dates, tags, names) are parsed once per distinct
value through dictionary encoding, so Tags JSON is decoded once per distinct tag set. An amount beyond
10^15 in magnitude is refused (a SourceError naming the row), so that sums stay exact.

The charges are summed by the configured engine (`engine`, docs/engines.md), in two steps of one Ibis
expression (`ledger_query`): each file's charges per ledger key, then those partial ledgers per key, as
DECIMAL(38, 18), so the sums are exact whatever the engine, the order of the rows or the split into files.
With the parse cache each file's partial ledger is cached by its content (`CollectContext.part`): a new
or edited file is the only one read and summed again, and a deleted file's charges are no longer merged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import SourceError
from ..model import InputFile, conform
from .base import Batch, CollectContext, Collector, Part, SourceOptions
from .engine import Engine, engine_for
from .engine_table import where_of
from .focus_attribution import attribute
from .focus_engine import charges_checked, fingerprint, name_row, open_charges
from .focus_table import (
    CATEGORIES,
    MAY_BE_NEGATIVE,
    PROVIDER_COLUMNS,
    check_required,
    first_row,
    parse_money,
    parse_period_start,
    read_focus_table,
)
from .io import expand_paths, input_file, time_span

ChargeCategory = Literal["usage", "purchase", "tax", "credit", "adjustment"]
KEYS = ("day", "component", "team", "provider", "service", "model", "category", "currency")
COST_DECIMAL = "decimal(38, 18)"
PART_SCHEMA = pa.schema(
    [("day", pa.timestamp("us", tz="UTC"))]
    + [(k, pa.string()) for k in KEYS[1:]]
    + [("cost", pa.decimal128(38, 18)), ("billed_cost", pa.decimal128(38, 18))]
)


class AttributionRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    match: dict[Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")], str]
    component: str | None = None
    team: str | None = None

    @model_validator(mode="after")
    def _does_something(self) -> AttributionRule:
        if not self.match:
            raise ValueError("`match` needs at least one column: glob pair")
        if self.component is None and self.team is None:
            raise ValueError("a rule sets `component`, `team` or both")
        return self


class FocusOptions(SourceOptions):
    path: str | None = None  # files, or `table` (a table of the engine, e.g. billing.focus)
    component_tag: str | None = None
    team_tag: str | None = None
    tag_values: dict[str, str] = {}
    model_tag: str | None = None
    model_column: str | None = None
    team_from_owner: bool = True
    rules: list[AttributionRule] = []
    provider: str | None = None


class FocusCollector(Collector):
    type = "focus"
    Options = FocusOptions
    per_file = True
    uses_engine = True

    def collect(self, options: FocusOptions, ctx: CollectContext) -> Batch:
        config = ctx.config
        where = options.path if options.table is None else where_of(options)
        known = set(config.component_ids)
        for i, rule in enumerate(options.rules):
            if rule.component is not None and rule.component not in known:
                raise SourceError(
                    where,
                    "attribution rule names an unknown component",
                    column=f"rules[{i}].component",
                    expected=f"one of {sorted(known)}",
                    found=rule.component,
                )
        engine = engine_for(config.engine, ctx.project_dir)
        if options.table is not None:
            parts = [self._table_part(options, ctx, engine, where)]
        else:
            parts = [
                ctx.part(path, lambda path=path: self._part(path, options, ctx, engine))
                for path in expand_paths(ctx, options.path)
            ]
        table = pa.concat_tables([p.table.select(PART_SCHEMA.names).cast(PART_SCHEMA) for p in parts])
        merged = _summed(engine, table, where)
        if merged.num_rows and (merged["cost"].null_count or merged["billed_cost"].null_count):
            raise SourceError(
                where, "the sum of the charges of a ledger row is too large", column="EffectiveCost",
                expected="sums below 10^20", found="an overflow",
            )  # fmt: skip
        for name in ("cost", "billed_cost"):
            merged = merged.set_column(merged.schema.get_field_index(name), name, to_float(merged[name]))
        frame = merged.to_pandas()
        frame["source"] = ctx.source_id
        batch = Batch(
            costs=_ledger(frame),
            files=[p.file for p in parts],
            rows=sum(p.rows for p in parts),
            warnings=[w for p in parts for w in p.warnings],
        )
        assumed = sum(p.state["assumed_currency_rows"] for p in parts)
        unknown = {v for p in parts for v in p.state["unknown_component_values"]}
        return _finish(batch, config.currency, assumed, unknown)

    def fingerprint(self, options: FocusOptions, ctx: CollectContext) -> str:
        engine = engine_for(ctx.config.engine, ctx.project_dir)
        charges = open_charges(engine, options.table, wanted_columns(options), where_of(options))
        return fingerprint(engine, charges, options.table)

    def _part(self, path: Path, options: FocusOptions, ctx: CollectContext, engine: Engine) -> Part:
        """One file's charges summed per ledger key, exactly (DECIMAL), by DuckDB. Another engine gets
        the file's normalised charges as they are (a query per file costs a Spark job; the merge sums
        them in one), so such a part holds charges rather than sums; the merged ledger is the same."""
        unknown: set[str] = set()
        table, rows, notes = _read_file(path, options, ctx, unknown)
        partial = table
        if engine.kind == "duckdb":
            partial = _summed(engine, table, ctx.relpath(path))
        return Part(
            table=partial,
            file=input_file(ctx, path, rows, table["day"]),
            rows=rows,
            warnings=notes["warnings"],
            state={
                "assumed_currency_rows": notes["assumed_currency_rows"],
                "unknown_component_values": sorted(unknown),
            },
        )

    def _table_part(self, options: FocusOptions, ctx: CollectContext, engine: Engine, where: str) -> Part:
        """The table's charges, checked and summed per distinct value of the columns the ledger keys come
        from by the engine (`focus_engine`); those values parsed as a file's are (the ledger keys)."""
        charges = open_charges(engine, options.table, wanted_columns(options), where)
        stats = charges_checked(engine, charges)
        grouped = engine.run(ledger_query(charges.rows, list(charges.keys)), source=where)
        unknown: set[str] = set()
        try:
            day, category = _day_and_category(grouped, options, where)
            keys = _ledger_keys(grouped, day, category, options, ctx, where, unknown)
        except SourceError as err:
            raise name_row(engine, charges, grouped, err) from None
        table = keys.append_column("cost", grouped["cost"]).append_column(
            "billed_cost", grouped["billed_cost"]
        )
        rows = int(stats["rows"])
        assumed = int(stats.get("no_currency", rows))
        currency = ctx.config.currency
        warnings = [f"{where}: {assumed} rows without BillingCurrency read as {currency}"] if assumed else []
        start, end = time_span(table["day"])
        file = InputFile(
            path=where, sha256=fingerprint(engine, charges, options.table, stats), rows=rows,
            start=start, end=end,
        )  # fmt: skip
        return Part(
            table=table,
            file=file,
            rows=rows,
            warnings=warnings,
            state={"assumed_currency_rows": assumed, "unknown_component_values": sorted(unknown)},
        )


def ledger_query(t: Any, keys: Sequence[str] = KEYS) -> Any:
    """The charges of `t` (one row per charge, or partial ledgers) summed per ledger key (or per `keys`:
    a table's charges per distinct value of the columns the ledger keys come from) as DECIMAL(38, 18):
    exact, so neither the order an engine adds rows in nor how the charges were split into files or
    groups changes a sum, and every engine gives the same digits."""
    cost, billed = (t[c].cast(COST_DECIMAL) for c in ("cost", "billed_cost"))
    return t.group_by(list(keys)).aggregate(cost=cost.sum(), billed_cost=billed.sum())


def _summed(engine: Engine, table: pa.Table, source: str) -> pa.Table:
    """`ledger_query` of the charges (or partial ledgers) in `table`. An engine that copies its input
    (Spark) gets them in pieces, each summed, then the pieces' ledgers summed: the sums are exact
    (DECIMAL), so the ledger is the one a single query gives."""
    limit = engine.piece_rows
    if limit is None or table.num_rows <= limit:
        return _ledger_of(engine, table, source)
    partial = [
        _ledger_of(engine, table.slice(at, limit), source).select(PART_SCHEMA.names).cast(PART_SCHEMA)
        for at in range(0, table.num_rows, limit)
    ]
    merged = pa.concat_tables(partial)
    if merged.num_rows >= table.num_rows:  # every charge its own ledger row: no piece made it smaller
        return _ledger_of(engine, merged, source)
    return _summed(engine, merged, source)


def _ledger_of(engine: Engine, table: pa.Table, source: str) -> pa.Table:
    t = engine.memtable(table)
    try:
        return engine.run(ledger_query(t), source=source)
    finally:
        engine.release(t)


def to_decimal(amounts: pa.Array) -> pa.Array:
    """Amounts as written: each float's shortest decimal form (1262.688024, not the binary value's
    1262.68802399999994...) to 18 decimal places."""
    return pc.cast(pc.cast(amounts, pa.string()), pa.decimal128(38, 18), safe=False)


def to_float(sums: Any) -> pa.Array:
    """Exact decimal sums as the nearest float64 (correctly rounded through their decimal text)."""
    return pc.cast(pc.cast(sums, pa.string()), pa.float64())


def _ledger(frame: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows in their canonical order (one row per key, so the order is total)."""
    return conform("costs", frame.sort_values(list(KEYS), na_position="first", kind="stable"))


def _finish(batch: Batch, currency: str, assumed_currency_rows: int, unknown_values: set[str]) -> Batch:
    """Summary and source-wide warnings, after the per-file warnings the batch holds."""
    batch.state = {"file_warnings": len(batch.warnings)}
    batch.summary = cost_summary(batch.costs, currency)
    batch.summary["rows_currency_assumed"] = assumed_currency_rows
    batch.summary["unknown_component_values"] = sorted(unknown_values)
    if unknown_values:
        batch.warnings.append(
            f"tag values that name no configured component (left unattributed): {sorted(unknown_values)[:8]}"
        )
    batch.warnings.extend(currency_warnings(batch.summary))
    return batch


def wanted_columns(options: FocusOptions) -> set[str]:
    """The columns the source reads (all others are ignored)."""
    tags_wanted = options.component_tag or options.team_tag or options.model_tag
    return {
        "ChargePeriodStart", "ChargeCategory", "ChargeClass", "EffectiveCost", "BilledCost",
        "BillingCurrency", "ServiceName", *PROVIDER_COLUMNS,
        *(["Tags"] if tags_wanted else []),
        *([options.model_column] if options.model_column else []),
        *(col for rule in options.rules for col in rule.match),
    }  # fmt: skip


def _read_file(
    path: Path, options: FocusOptions, ctx: CollectContext, unknown_values: set[str]
) -> tuple[pa.Table, int, dict[str, Any]]:
    file = str(path)
    table = read_focus_table(path, wanted_columns(options))
    n = table.num_rows
    check_required(table.column_names, file)
    day, category = _day_and_category(table, options, file)
    cost = parse_money(table["EffectiveCost"], file=file, column="EffectiveCost")
    billed = parse_money(table["BilledCost"], file=file, column="BilledCost")
    _check_negatives(table, category, cost, billed, file)
    keys = _ledger_keys(table, day, category, options, ctx, file, unknown_values)
    out = keys.append_column("cost", to_decimal(cost)).append_column("billed_cost", to_decimal(billed))
    has_currency = "BillingCurrency" in table.column_names
    assumed = table["BillingCurrency"].null_count if has_currency else n
    warnings = []
    if assumed:
        warnings.append(f"{path.name}: {assumed} rows without BillingCurrency read as {ctx.config.currency}")
    return out, n, {"warnings": warnings, "assumed_currency_rows": assumed}


def _day_and_category(table: pa.Table, options: FocusOptions, file: str) -> tuple[pa.Array, pa.Array]:
    naive_tz = ZoneInfo(options.timezone) if options.timezone else None  # FOCUS dates are UTC
    day = parse_period_start(table["ChargePeriodStart"], file=file, naive_tz=naive_tz)
    return day, _category(table["ChargeCategory"], file)


def _ledger_keys(
    table: pa.Table,
    day: pa.Array,
    category: pa.Array,
    options: FocusOptions,
    ctx: CollectContext,
    file: str,
    unknown_values: set[str],
) -> pa.Table:
    """The ledger keys of each row of `table`: a file's charges, or the distinct values of a table's
    columns they come from (`focus_engine`)."""
    n = table.num_rows
    if "BillingCurrency" in table.column_names:
        currency = pc.utf8_upper(pc.utf8_trim_whitespace(table["BillingCurrency"]))
        currency = pc.fill_null(currency, ctx.config.currency)
        for value in pc.unique(currency).to_pylist():
            if not re.fullmatch(r"[A-Z]{3}", value):
                raise SourceError(
                    file, "invalid currency", row=first_row(currency, value), column="BillingCurrency",
                    expected="an ISO 4217 code such as USD", found=value,
                )  # fmt: skip
    else:
        currency = pa.array([ctx.config.currency] * n, pa.string())

    provider_col = next((c for c in PROVIDER_COLUMNS if c in table.column_names), None)
    fallback = options.provider or "unspecified"
    provider = _text_or(table[provider_col] if provider_col else None, n, fallback)
    service = _text_or(
        table["ServiceName"] if "ServiceName" in table.column_names else None, n, "unspecified"
    )

    component, team, model = attribute(table, options, ctx, file, unknown_values)
    return pa.table(
        {
            "day": day, "component": component, "team": team, "provider": provider, "service": service,
            "model": model, "category": category, "currency": currency,
        }
    )  # fmt: skip


def _category(values: pa.ChunkedArray, file: str) -> pa.Array:
    lowered = pc.utf8_lower(pc.utf8_trim_whitespace(values))
    for value in pc.unique(lowered).to_pylist():
        if value not in CATEGORIES:
            raise SourceError(
                file, "unknown ChargeCategory", row=first_row(lowered, value), column="ChargeCategory",
                expected="Usage, Purchase, Tax, Credit or Adjustment", found=value,
            )  # fmt: skip
    return lowered


def _check_negatives(table: pa.Table, category: Any, cost: pa.Array, billed: pa.Array, file: str) -> None:
    allowed = pc.is_in(category, value_set=pa.array(MAY_BE_NEGATIVE))
    if "ChargeClass" in table.column_names:
        correction = pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(table["ChargeClass"])), "correction")
        allowed = pc.or_(allowed, pc.fill_null(correction, False))
    for column, amounts in (("EffectiveCost", cost), ("BilledCost", billed)):
        bad = pc.and_(pc.less(amounts, 0), pc.invert(allowed))
        if pc.any(bad).as_py():
            idx = int(np.flatnonzero(bad.to_numpy(zero_copy_only=False))[0])
            raise SourceError(
                file, f"negative {category[idx]} charge (only credits, adjustments and corrections may be negative)",
                row=idx + 1, column=column, expected="an amount >= 0", found=amounts[idx].as_py(),
            )  # fmt: skip


def _text_or(values: pa.ChunkedArray | None, n: int, fallback: str) -> pa.Array:
    if values is None:
        return pa.array([fallback] * n, pa.string())
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.fill_null(pc.if_else(pc.equal(trimmed, ""), None, trimmed), fallback)


def cost_summary(costs: pd.DataFrame, currency: str) -> dict[str, Any]:
    """Totals in the configured currency, unattributed spend, and what is held in other currencies."""
    same = costs["currency"] == currency
    main = costs.loc[same]
    total = float(main["cost"].sum())
    unattributed = float(main.loc[main["component"].isna() & main["team"].isna(), "cost"].sum())
    no_component = float(main.loc[main["component"].isna(), "cost"].sum())
    others = costs.loc[~same].groupby("currency", sort=True)["cost"].agg(["sum", "size"])
    return {
        "currency": currency,
        "total_cost": total,
        "total_billed_cost": float(main["billed_cost"].sum()),
        "unattributed_cost": unattributed,
        "unattributed_share": unattributed / total if total else None,
        "no_component_cost": no_component,
        "cost_by_category": {str(k): float(v) for k, v in main.groupby("category")["cost"].sum().items()},
        "other_currencies": {
            str(cur): {"cost": float(row["sum"]), "ledger_rows": int(row["size"])}
            for cur, row in others.iterrows()
        },
    }


def currency_warnings(summary: dict[str, Any]) -> list[str]:
    return [
        f"{info['cost']:.2f} {cur} of spend is not in {summary['currency']}: kept with its currency and "
        f"not added to {summary['currency']} totals"
        for cur, info in summary["other_currencies"].items()
    ]
