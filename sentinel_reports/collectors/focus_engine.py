"""FOCUS bills in a table of the engine (`table: billing.focus`) instead of files (docs/engines.md).

The table holds FOCUS columns (ChargePeriodStart, ChargeCategory, EffectiveCost, BilledCost, ...), typed
as a warehouse types them (timestamps, numbers, a MAP or JSON text of Tags) or as text, as in the CSV
exports. The rows stay in the engine; Python sees one row per distinct ledger source value:

1. `open_charges` finds the columns the source reads (`wanted_columns`); a missing required column is
   the error a file without it gives.
2. `charges_checked` runs one query: the row count, the fingerprint (`engine_table`), the rows without a
   currency, and every check of a single cell that the file path makes: a missing date or amount, an
   amount that is not a number, not finite or too large, a negative usage, purchase or tax charge. A
   bad row is named by its ChargePeriodStart, ServiceName and ResourceId (a table has no row numbers).
3. `Charges.rows` gives the charges with their amounts as DECIMAL(38, 18) (from the shortest decimal
   form of each amount, as a file's are), next to the columns the ledger keys are parsed from.
   The collector sums them per distinct value of those columns with `focus.ledger_query` (the one
   definition of the sum, exact), then parses those values with the file functions and sums again per
   ledger key: the ledger equals the one the same rows in a file give.
4. A value the parsing refuses (an unparseable date, an unknown category or currency, Tags that are not a
   JSON object) names a table row holding it (`name_row`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..errors import SourceError
from .base import EARLIEST_YEAR, LATEST_YEAR, TIME_RANGE
from .engine import Engine, ibis
from .engine_table import Check, fingerprint_of, fingerprint_stats, first_row, open_table
from .focus_table import MAX_AMOUNT, MAY_BE_NEGATIVE, check_required

AMOUNTS = ("EffectiveCost", "BilledCost")
ROW_NAMES = ("ChargePeriodStart", "ServiceName", "ResourceId")  # what names a bad row, where present
COST_DECIMAL = "decimal(38, 18)"


@dataclass
class Charges:
    t: Any  # the table
    where: str
    keys: dict[str, Any]  # column -> the expression the ledger keys are parsed from
    amounts: dict[str, Any]  # ledger amount (cost, billed_cost) -> DECIMAL expression
    checks: list[Check]
    read: dict[str, Any]  # every column read, for the fingerprint

    @property
    def rows(self) -> Any:
        """The charges: the key columns and the amounts, as DECIMAL(38, 18)."""
        return self.t.select(**self.keys, **self.amounts)


def _nulls_only(dtype: Any) -> bool:
    """A column typed NULL (DuckDB's type of a column made of nulls, an unknown type to Ibis)."""
    return dtype.is_null() or dtype.is_unknown()


def _type_error(where: str, column: str, dtype: Any, expected: str) -> SourceError:
    return SourceError(
        where, "column type not read from a table", column=column, expected=expected, found=str(dtype)
    )


def open_charges(engine: Engine, name: str, wanted: set[str], where: str) -> Charges:
    t = open_table(engine, name, where)
    check_required(t.columns, where)
    present = sorted(c for c in wanted if c in t.columns)
    keys: dict[str, Any] = {}
    checks: list[Check] = []
    for column in present:
        if column in AMOUNTS:
            continue
        value, dtype = t[column], t[column].type()
        if column == "ChargePeriodStart":
            checks += _period_checks(t, where)
        elif column == "Tags" and dtype.is_map():
            pass  # looked up per key by the file functions, as a Parquet MAP column is
        elif not (dtype.is_string() or dtype.is_numeric() or dtype.is_boolean() or _nulls_only(dtype)):
            raise _type_error(where, column, dtype, "a text column")
        else:
            value = value.cast("string")
        keys[column] = value
    amounts = {}
    for column, name_in_ledger in zip(AMOUNTS, ("cost", "billed_cost"), strict=True):
        number, cell_checks = _amount(t, column, where)
        checks += cell_checks
        amounts[name_in_ledger] = number
    checks += _negative_checks(t, amounts)
    # an amount is summed as the shortest decimal form of its float (`focus.to_decimal`), as a file's is
    amounts = {k: v.cast("string").cast(COST_DECIMAL) for k, v in amounts.items()}
    return Charges(t, where, keys, amounts, checks, {c: t[c] for c in present})


def _period_checks(t: Any, where: str) -> list[Check]:
    col = t["ChargePeriodStart"]
    dtype = col.type()
    checks = [Check(col.get_name(), col.isnull(), "missing ChargePeriodStart", "a date or timestamp", col)]
    if dtype.is_timestamp() or dtype.is_date():
        year = col.year()
        out = (year < EARLIEST_YEAR) | (year > LATEST_YEAR)
        checks.append(Check(col.get_name(), out, "timestamp out of range", TIME_RANGE, col))
    elif not (dtype.is_string() or _nulls_only(dtype)):
        raise _type_error(where, "ChargePeriodStart", dtype, "a timestamp, a date or ISO 8601 text")
    return checks


def _amount(t: Any, column: str, where: str) -> tuple[Any, list[Check]]:
    """(the amount as float64; the checks of its cells), as `focus_table.parse_money` reads a file's."""
    col = t[column]
    dtype = col.type()
    checks = [Check(column, col.isnull(), "missing amount", "a number", ibis().literal("empty"))]
    if dtype.is_numeric() or _nulls_only(dtype):  # a column of nulls only: every cell a missing amount
        number = col.cast("float64")
    elif dtype.is_string():
        text = col.strip()
        cleaned = text.re_replace(r"[\s$€£¥,()]", "").try_cast("float64")
        number = ibis().ifelse(text.re_search(r"^\(.*\)$"), -cleaned, cleaned)
        checks.append(
            Check(
                column, col.notnull() & number.isnull(), "not an amount",
                'a number such as 12.50 or "$1,200.00"', col,
            )
        )  # fmt: skip
    else:
        raise _type_error(where, column, dtype, 'a number or an amount as text ("$1,200.00")')
    checks.append(
        Check(column, number.isnan() | number.isinf(), "not a finite amount", "a finite number", number)
    )
    checks.append(
        Check(
            column, number.abs() > MAX_AMOUNT, "amount too large",
            f"an amount of at most {MAX_AMOUNT:.0e} in magnitude", number,
        )
    )  # fmt: skip
    return number, checks


def _category(t: Any) -> Any:
    return t["ChargeCategory"].cast("string").strip().lower()


def _negative_checks(t: Any, amounts: dict[str, Any]) -> list[Check]:
    allowed = _category(t).isin(list(MAY_BE_NEGATIVE)).fill_null(False)
    if "ChargeClass" in t.columns:
        correction = t["ChargeClass"].cast("string").strip().lower() == "correction"
        allowed = allowed | correction.fill_null(False)
    return [
        Check(
            column, (amounts[ledger] < 0) & ~allowed,
            "negative charge (only credits, adjustments and corrections may be negative)",
            "an amount >= 0", amounts[ledger],
        )
        for column, ledger in zip(AMOUNTS, ("cost", "billed_cost"), strict=True)
    ]  # fmt: skip


def _stats(c: Charges) -> dict[str, Any]:
    t = c.t
    metrics = fingerprint_stats(t, t["ChargePeriodStart"], c.read)
    if "BillingCurrency" in t.columns:
        metrics["no_currency"] = t.count(where=t["BillingCurrency"].isnull())
    for i, check in enumerate(c.checks):
        metrics[f"bad_{i}"] = t.count(where=check.bad.fill_null(False))
    return metrics


def fingerprint(engine: Engine, c: Charges, table: str, stats: dict[str, Any] | None = None) -> str:
    """The table's fingerprint: row count, first and last ChargePeriodStart, a hash sum of the columns read."""
    if stats is None:
        expr = c.t.aggregate(**fingerprint_stats(c.t, c.t["ChargePeriodStart"], c.read))
        stats = engine.run(expr, source=c.where).to_pylist()[0]
    return fingerprint_of(engine, table, list(c.read), stats)


def charges_checked(engine: Engine, c: Charges) -> dict[str, Any]:
    """The table's row count (`rows`), rows without BillingCurrency (`no_currency`) and fingerprint
    statistics, after every check of a single cell held: else the SourceError naming the first bad row."""
    stats = engine.run(c.t.aggregate(**_stats(c)), source=c.where).to_pylist()[0]
    for i, check in enumerate(c.checks):
        if stats[f"bad_{i}"]:
            raise _first_bad(engine, c, check)
    return stats


def _named(c: Charges) -> dict[str, Any]:
    return {k: c.t[k] for k in ROW_NAMES if k in c.t.columns}


def _first_bad(engine: Engine, c: Charges, check: Check) -> SourceError:
    named = _named(c)
    values = {"found": check.found, "category": _category(c.t)}
    key, row = first_row(engine, c.t, check.bad, named, [*named.values(), check.found], c.where, values)
    problem = check.problem
    if problem.startswith("negative charge"):
        problem = problem.replace("negative", f"negative {row['category']}", 1)
    return SourceError(
        c.where, problem, row_key=key, column=check.column, expected=check.expected, found=row["found"]
    )


def name_row(engine: Engine, c: Charges, grouped: pa.Table, err: SourceError) -> SourceError:
    """`err`, raised by the file functions at row `err.row` of `grouped` (one row per distinct key), as
    the error of the first table row holding that row's value of `err.column`."""
    row_key = None
    if err.row is not None and err.column in c.keys and err.column in grouped.column_names:
        value = grouped[err.column][err.row - 1].as_py()
        if value is None or isinstance(value, str):
            expr = c.keys[err.column]
            bad = expr.isnull() if value is None else expr == value
            named = _named(c)
            row_key, _ = first_row(engine, c.t, bad, named, list(named.values()), c.where)
    return SourceError(
        c.where, err.message, row_key=row_key, column=err.column, expected=err.expected, found=err.found
    )
