"""The engine that reduces row-level sources to aggregated tables (docs/engines.md).

Aggregations are Ibis expressions: one definition, compiled by Ibis to the SQL of the engine that runs it.
DuckDB runs embedded by default (a memory limit, spilling to `.sentinel/tmp`); `engine: {kind: spark}` runs
the same expressions on PySpark, and ClickHouse, Trino and BigQuery through their Ibis backends. Python code
after a query sees only its aggregated result, as an Arrow table.

    engine = engine_for(config.engine, project_dir)
    result = engine.run(expression, source="data/requests.parquet")   # pyarrow.Table

An engine failure (out of memory, a missing backend, a query the engine refuses) is a SourceError naming
the source, never a traceback; bad rows are found by the collectors' own validation queries before that.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..config import Engine as EngineConfig
from ..errors import SourceError

_LOCK = threading.Lock()
_ENGINES: dict[tuple[str, str], Engine] = {}
_IBIS: dict[str, Any] = {}


def ibis() -> Any:
    """The ibis module, imported on first use (its import costs a few hundred ms)."""
    if "ibis" not in _IBIS:
        import ibis as module

        _IBIS["ibis"] = module
    return _IBIS["ibis"]


@dataclass
class Engine:
    kind: str
    con: Any
    settings: EngineConfig
    project_dir: Path
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def reads_files(self) -> bool:
        """DuckDB scans Parquet, CSV and JSONL files itself; other engines get rows the collector read."""
        return self.kind == "duckdb"

    def memtable(self, table: pa.Table) -> Any:
        # one chunk per column: Spark's Arrow transfer takes arrays, not chunked arrays
        return ibis().memtable(table.combine_chunks() if isinstance(table, pa.Table) else table)

    def sql(self, query: str, params: list | None = None) -> pa.Table:
        """A DuckDB query on the engine's connection (scans and validation queries of files)."""
        with self.lock:
            return self.con.con.sql(query, params=params or None).to_arrow_table()

    def run(self, expr: Any, *, source: str, ordered: bool = False) -> pa.Table:
        """The expression's result as an Arrow table; an engine failure is a SourceError about `source`.
        `ordered` (DuckDB): scans keep their order, for rows numbered as they are read."""
        try:
            with self.lock:
                if ordered and self.kind == "duckdb":
                    self.con.con.execute("SET preserve_insertion_order = true")
                    try:
                        return self.con.to_pyarrow(expr)
                    finally:
                        self.con.con.execute("SET preserve_insertion_order = false")
                return self.con.to_pyarrow(expr)
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001 - any engine failure becomes a readable error
            raise self.failure(
                source, "could not aggregate this source", exc,
                expected="a query the engine completes (see docs/engines.md for memory_limit and spilling)",
            ) from None  # fmt: skip

    def failure(self, source: str, what: str, exc: BaseException, *, expected: str) -> SourceError:
        """The engine's exception as a SourceError about `source` (its first line, never a traceback)."""
        return SourceError(
            source,
            f"the {self.kind} engine {what}: {_first_line(exc)}",
            expected=expected,
            found=type(exc).__name__,
        )

    @property
    def piece_rows(self) -> int | None:
        """Rows handed to this engine in one Arrow transfer; None: any number (DuckDB reads Arrow in place)."""
        return None if self.reads_files else ARROW_ROWS

    def release(self, table: Any) -> None:
        """Forget an in-memory table once its query has run. Spark copies a memtable into a temporary view
        that its driver keeps until the process ends; source after source, piece after piece, those
        copies would fill the driver's memory."""
        op = table.op()
        if self.kind != "spark" or type(op).__name__ != "InMemoryTable":
            return
        with self.lock:
            try:
                self.con._session.catalog.dropTempView(op.name)
            except Exception:  # noqa: BLE001, S110 - nothing to free when the view was never made
                pass
            self.con._memtables.discard(op)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def engine_for(settings: EngineConfig, project_dir: Path) -> Engine:
    """The process's engine for these settings (connected once; Spark starts once per process)."""
    key = (settings.model_dump_json(), str(Path(project_dir).resolve()))
    with _LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = _connect(settings, Path(project_dir))
        return _ENGINES[key]


def _connect(settings: EngineConfig, project_dir: Path) -> Engine:
    where = "sentinel.yaml engine"
    if settings.kind == "duckdb":
        return Engine("duckdb", _duckdb(settings, project_dir), settings, project_dir)
    try:
        if settings.kind == "spark":
            con = ibis().pyspark.connect(spark_session(settings.master or "local[2]"))
        else:
            con = getattr(ibis(), settings.kind).connect(**settings.connection)
    except ImportError as exc:
        raise SourceError(
            where,
            f"the {settings.kind} engine is not installed ({exc.name or exc})",
            expected=f"pip install 'ibis-framework[{settings.kind}]'"
            + (" (or sentinel-reports[spark]) and Java 17" if settings.kind == "spark" else ""),
            found="not installed",
        ) from None
    except Exception as exc:  # noqa: BLE001
        raise SourceError(
            where,
            f"cannot connect to the {settings.kind} engine: {_first_line(exc)}",
            expected="a reachable engine",
            found=type(exc).__name__,
        ) from None
    return Engine(settings.kind, con, settings, project_dir)


def _duckdb(settings: EngineConfig, project_dir: Path) -> Any:
    tmp = Path(settings.temp_directory)
    tmp = tmp if tmp.is_absolute() else project_dir / tmp
    database = ":memory:"
    if settings.database:
        database = str(
            Path(settings.database)
            if Path(settings.database).is_absolute()
            else project_dir / settings.database
        )
    config: dict[str, Any] = {
        "memory_limit": settings.memory_limit,
        "temp_directory": str(tmp),
        "preserve_insertion_order": False,  # lets large scans stream within the memory limit
        "threads": settings.threads or max(1, os.cpu_count() or 1),
    }
    try:
        con = ibis().duckdb.connect(database, read_only=bool(settings.database), **config)
        con.con.execute("SET TimeZone = 'UTC'")
        # DuckDB draws a progress bar on standard output for a query of more than 2 s, into a quiet build's
        # output; the build reports its own progress
        con.con.execute("SET enable_progress_bar = false")
    except Exception as exc:  # noqa: BLE001
        raise SourceError(
            "sentinel.yaml engine",
            f"cannot start DuckDB: {_first_line(exc)}",
            expected="a readable database file and a writable temp_directory",
            found=database,
        ) from None
    return con


_SPARK: dict[str, Any] = {}
ARROW_ROWS = 1_000_000  # rows handed in one Arrow transfer to an engine that copies them (Spark's driver)


def spark_session(master: str) -> Any:
    """One local Spark session per process: UTC, no UI, Arrow transfers."""
    if master not in _SPARK:
        from pyspark.sql import SparkSession

        _SPARK[master] = (
            SparkSession.builder.master(master)
            .appName("sentinel-reports")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.driver.memory", "1g")
            .getOrCreate()
        )
        _SPARK[master].sparkContext.setLogLevel("ERROR")
    return _SPARK[master]


def close_databases() -> None:
    """Disconnect this process's DuckDB engines that opened a database file (`engine.database`), so that
    the file can be written again; the next query connects anew."""
    with _LOCK:
        for key, engine in list(_ENGINES.items()):
            if engine.kind == "duckdb" and engine.settings.database:
                del _ENGINES[key]
                engine.con.disconnect()
