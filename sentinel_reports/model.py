"""The canonical model every collector maps into and every later stage reads.

Frames are pandas DataFrames with the exact columns below (extra columns are not allowed); records that are
few and nested (incidents, gaps, coverage) are frozen dataclasses.

samples      one observation of one signal for one component
    ts         datetime64[ns, UTC]  start of the interval the value describes
    component  str                  component id from sentinel.yaml
    signal     str                  one of SIGNALS
    value      float64              unit given by the signal name (see SIGNALS)
    source     str                  id of the source that produced the row (provenance)

costs        the cost ledger, one row per day × attribution × charge
    day          datetime64[ns, UTC]  midnight UTC of the charge day
    component    str | <NA>           component id, or missing when spend is unattributed
    team         str | <NA>           owning team, or missing
    provider     str                  e.g. "anthropic", "openai", "aws"
    service      str                  provider service name
    model        str | <NA>           LLM model id where the charge is for a model
    category     str                  one of COST_CATEGORIES
    cost         float64              EffectiveCost (amortised), in `currency`
    billed_cost  float64              BilledCost, kept for reconciliation
    currency     str                  ISO 4217 code
    source       str                  source id

evals        one eval run result
    ts             datetime64[ns, UTC]
    component      str
    model_version  str
    eval_name      str
    passed         int64
    total          int64
    source         str
    segment        str                  "" when the row is not split by segment (language, tier, region)

kpis         one business KPI value per day (`type: business_kpis`)
    day        datetime64[ns, UTC]  midnight of the day (in the project's timezone) the value describes
    component  str
    kpi        str                  e.g. "conversion", "answer_acceptance"
    kind       str                  "rate" (value = share of n trials) or "mean" (value = mean of n observations)
    value      float64
    n          int64                trials (rate) or observations (mean) behind the value
    source     str
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd


# Text cleaning on input. Every text field a collector or the content loader hands on (incident titles and
# updates, component and team names, labels, config strings, front matter and markdown bodies) passes
# through `clean_text`, so no later stage or output format ever sees these characters:
# - C0 controls other than tab and newline, and DEL: NUL breaks XML (the Atom feed), others are invisible
#   or terminal escapes. CR LF and a lone CR become LF.
# - bidirectional controls (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C): they reorder what a
#   reader sees ("Trojan Source"), so a title can read differently from what it says. They are removed,
#   not escaped, the same way in every format (docs/integrity.md).
def format_timestamp(value: dt.datetime) -> str:
    """The one text form of a timestamp in facts and the files made from them: `2026-11-23T00:00:00Z` (UTC,
    to the second; a naive datetime is read as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: str | dt.datetime) -> dt.datetime:
    """The one reader of a timestamp: ISO 8601 (`Z` or an offset; a date alone is its midnight; no zone is
    UTC) into a timezone-aware UTC datetime. A datetime is normalised the same way. ValueError when the text
    is not ISO 8601."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = value.strip()
        parsed = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


_NEWLINES = re.compile(r"\r\n?")
UNSAFE_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """``text`` without C0 controls (except tab and newline), DEL and bidi controls; CR LF becomes LF."""
    if not isinstance(text, str):
        return text
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    return UNSAFE_CHARS.sub("", text)


def clean_tree(value: Any) -> Any:
    """`clean_text` applied to every string (keys included) of a parsed YAML/JSON document."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_tree(k): clean_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_tree(v) for v in value]
    if isinstance(value, tuple):
        return tuple(clean_tree(v) for v in value)
    return value


def clean_column(series: pd.Series) -> pd.Series:
    """`clean_text` over a text column, cheaply: only the distinct values that need it are replaced."""
    if not len(series) or not (series.dtype == object or pd.api.types.is_string_dtype(series)):
        return series
    dirty = {v: clean_text(v) for v in pd.unique(series) if isinstance(v, str) and clean_text(v) != v}
    return series.replace(dirty) if dirty else series


# signal name -> (unit, description). Counts are per interval starting at `ts`.
SIGNALS: dict[str, tuple[str, str]] = {
    "requests_total": ("count", "requests received in the interval"),
    "requests_good": ("count", "requests that succeeded in the interval"),
    "latency_p50_ms": ("ms", "median latency"),
    "latency_p95_ms": ("ms", "95th percentile latency"),
    "latency_p99_ms": ("ms", "99th percentile latency"),
    "ttft_p95_ms": ("ms", "95th percentile time to first token"),
    "saturation": ("ratio", "GPU or memory utilisation, 0..1"),
    "eval_pass_rate": ("ratio", "share of eval cases passed, 0..1"),
    "hallucination_rate": ("ratio", "share of responses judged hallucinated, 0..1"),
    "toxicity_rate": ("ratio", "share of responses judged toxic, 0..1"),
    "drift_score": ("score", "input or output distribution drift (e.g. PSI), compared with quality.drift"),
    "tokens_input": ("count", "uncached input tokens"),
    "tokens_output": ("count", "output tokens"),
    "tokens_cache_read": ("count", "input tokens read from the prompt cache"),
    "tokens_cache_write": ("count", "input tokens written to the prompt cache"),
    "cost_requests": ("currency", "spend reported by request logs (not part of the ledger)"),
}

# Signals whose values are counts per interval: they are summed, never averaged.
COUNT_SIGNALS = frozenset(
    {
        "requests_total",
        "requests_good",
        "tokens_input",
        "tokens_output",
        "tokens_cache_read",
        "tokens_cache_write",
    }
)

COST_CATEGORIES = ("usage", "purchase", "tax", "credit", "adjustment", "fee")

# What a component may `expect`, and the evidence that satisfies each expectation.
EXPECTATIONS: dict[str, tuple[str, ...]] = {
    "availability": ("requests_total", "requests_good"),
    "latency": ("latency_p95_ms",),
    "ttft": ("ttft_p95_ms",),
    "saturation": ("saturation",),
    "quality": ("eval_pass_rate",),  # satisfied by evals rows too
    "safety": ("hallucination_rate", "toxicity_rate"),
    "drift": ("drift_score",),
    "tokens": ("tokens_input", "tokens_output"),
    "cost": (),  # satisfied by attributed cost-ledger rows
}

SAMPLE_COLUMNS = ("ts", "component", "signal", "value", "source")
COST_COLUMNS = (
    "day",
    "component",
    "team",
    "provider",
    "service",
    "model",
    "category",
    "cost",
    "billed_cost",
    "currency",
    "source",
)
EVAL_COLUMNS = ("ts", "component", "model_version", "eval_name", "passed", "total", "source", "segment")
KPI_COLUMNS = ("day", "component", "kpi", "kind", "value", "n", "source")
# columns a collector may leave out: conform fills them with this value
_OPTIONAL: dict[str, dict[str, Any]] = {"evals": {"segment": ""}}

_DTYPES: dict[str, dict[str, str]] = {
    "samples": {"ts": "datetime64[ns, UTC]", "value": "float64"},
    "costs": {"day": "datetime64[ns, UTC]", "cost": "float64", "billed_cost": "float64"},
    "evals": {"ts": "datetime64[ns, UTC]", "passed": "int64", "total": "int64"},
    "kpis": {"day": "datetime64[ns, UTC]", "value": "float64", "n": "int64"},
}
_COLUMNS = {"samples": SAMPLE_COLUMNS, "costs": COST_COLUMNS, "evals": EVAL_COLUMNS, "kpis": KPI_COLUMNS}

FrameKind = Literal["samples", "costs", "evals", "kpis"]


def empty_frame(kind: FrameKind) -> pd.DataFrame:
    """An empty frame of the given kind with the canonical columns and dtypes."""
    dtypes = _DTYPES[kind]
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "object")) for c in _COLUMNS[kind]})


def conform(kind: FrameKind, frame: pd.DataFrame) -> pd.DataFrame:
    """Return `frame` with exactly the canonical columns of `kind`, in order, with canonical dtypes.

    Raises ValueError (a programming error in a collector, not a user error) when a column is missing.
    """
    columns = _COLUMNS[kind]
    optional = {c: v for c, v in _OPTIONAL.get(kind, {}).items() if c not in frame.columns}
    if optional:
        frame = frame.assign(**optional)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{kind} frame lacks columns {missing}")
    # a selection by a list of labels is a new frame (with copy-on-write, a lazy one): assigning its
    # columns below never writes into `frame`, so no deep copy of every column first
    out = frame.loc[:, list(columns)]
    for col in columns:
        if col not in _DTYPES[kind]:
            out[col] = clean_column(out[col])
    for col, dtype in _DTYPES[kind].items():
        if dtype.startswith("datetime64"):
            out[col] = pd.to_datetime(out[col], utc=True).astype("datetime64[ns, UTC]")
        else:
            out[col] = out[col].astype(dtype)
    return out.reset_index(drop=True)


Severity = Literal["SEV1", "SEV2", "SEV3", "SEV4"]
IncidentStatus = Literal["investigating", "identified", "monitoring", "resolved"]
TITLE_MAX_CHARS = 300
UPDATE_BODY_MAX_CHARS = 10_000


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with "…": an oversized field in an export (a
    50 MB incident title) is shown shortened instead of stalling every page and PDF that names it."""
    return text if not isinstance(text, str) or len(text) <= limit else text[: limit - 1].rstrip() + "…"


# AI incident classes (docs/definitions.md) and the AICS roles an incident may carry
INCIDENT_CLASSES: dict[str, str] = {
    "quality_regression": "hallucination or quality regression",
    "safety": "safety (toxicity or jailbreak)",
    "data_exposure": "data or PII exposure",
    "provider_outage": "model or provider outage",
    "drift": "drift",
    "cost_runaway": "cost runaway",
    "infrastructure": "classic infrastructure",
}
AICS_ROLES: dict[str, str] = {
    "incident_commander": "Incident Commander",
    "model_sme": "Model SME",
    "data_pipeline_lead": "Data Pipeline Lead",
    "safety_officer": "Safety Officer",
    "communications_lead": "Communications Lead",
}


@dataclass(frozen=True)
class IncidentUpdate:
    at: dt.datetime
    status: IncidentStatus
    body: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", shorten(clean_text(self.body), UPDATE_BODY_MAX_CHARS))


@dataclass(frozen=True)
class Incident:
    """One incident, with no person names (collectors drop every person field)."""

    id: str
    title: str
    severity: Severity
    status: IncidentStatus
    components: tuple[str, ...]
    started_at: dt.datetime  # when impact started (or the incident was created)
    created_at: dt.datetime  # when the incident record was opened
    detected_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    mitigated_at: dt.datetime | None
    resolved_at: dt.datetime | None
    customer_impact: bool
    source: str
    updates: tuple[IncidentUpdate, ...] = ()
    url: str | None = None
    # AI incident class (one of INCIDENT_CLASSES) and AICS roles as (role, team or role name) pairs: read
    # from custom fields or tags (collectors/ai_incidents.py); a role never holds a person's name
    incident_class: str | None = None
    roles: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", tuple((clean_text(r), clean_text(t)) for r, t in self.roles))
        object.__setattr__(self, "id", clean_text(self.id))
        object.__setattr__(self, "title", shorten(clean_text(self.title), TITLE_MAX_CHARS))
        object.__setattr__(self, "components", tuple(clean_text(c) for c in self.components))
        object.__setattr__(self, "url", clean_text(self.url) if self.url is not None else None)


@dataclass(frozen=True)
class Coverage:
    """How much of a component × signal series has data over a time range."""

    component: str
    signal: str
    sources: tuple[str, ...]
    start: dt.datetime | None  # first observation, None when the series is empty
    end: dt.datetime | None  # last observation
    step_seconds: float | None  # expected step = the series' median step
    expected_intervals: int
    present_intervals: int
    missing_runs: tuple[tuple[dt.datetime, dt.datetime], ...] = ()

    @property
    def ratio(self) -> float | None:
        if self.expected_intervals <= 0:
            return None
        return self.present_intervals / self.expected_intervals


GapKind = Literal[
    "missing_run",  # a run of missing data longer than gaps.min_duration
    "stale",  # the series stopped more than gaps.stale_after before as-of
    "no_source",  # a signal the component expects has no source at all
    "low_coverage",  # coverage below gaps.min_coverage
    "unattributed_spend",  # spend that no tag or rule maps to a component/team
    "missing_assumption",  # a business assumption needed for a translation is absent
    "currency_mismatch",  # spend in a currency other than the configured one (reported, not summed)
    "budget_without_spend",  # a budget team with no spend in the window
    "spend_without_budget",  # a team with spend in the window and no budget
    "team_tag_mismatch",  # a team tag that disagrees with the owner of the row's component
]
Priority = Literal["P1", "P2", "P3"]


@dataclass(frozen=True)
class Gap:
    """An observability gap, worded as the spec's gap sentence:

    "Current observability gap: <specific>. This limits our ability to <limits>.
     Recommended instrumentation: <instrumentation> with priority <priority>."
    """

    kind: GapKind
    component: str | None
    signal: str | None
    specific: str
    limits: str
    instrumentation: str
    priority: Priority
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    sources: tuple[str, ...] = ()
    amount: float | None = None  # spend amount for unattributed_spend / currency_mismatch
    span_hours: float | None = None  # the length `specific` states: a missing run, or the data's age (stale)
    resolution_minutes: tuple[float, ...] = ()  # the sample resolutions `instrumentation` names
    alert_after_minutes: float | None = None  # the absence `instrumentation` alerts after
    coverage_threshold: float | None = None  # low coverage: the share `specific` compares with

    @property
    def sentence(self) -> str:
        return (
            f"Current observability gap: {self.specific}. This limits our ability to {self.limits}. "
            f"Recommended instrumentation: {self.instrumentation} with priority {self.priority}."
        )


def gap_priority(tier: int, customer_facing: bool) -> Priority:
    """P1 for tier-1 customer-facing components, P2 for tier 2, P3 otherwise."""
    if tier == 1 and customer_facing:
        return "P1"
    if tier <= 2:
        return "P2"
    return "P3"


@dataclass(frozen=True)
class InputFile:
    """One file read by a source, for the manifest and provenance."""

    path: str  # relative to the project folder, POSIX separators
    sha256: str
    rows: int
    start: str | None = None  # first and last timestamp of the file's data (ISO 8601 UTC), when recorded
    end: str | None = None


@dataclass(frozen=True)
class SourceReport:
    """What one configured source contributed."""

    id: str
    type: str
    files: tuple[InputFile, ...]
    rows: int  # rows read, before dropping duplicates
    duplicates_dropped: int
    start: dt.datetime | None
    end: dt.datetime | None
    after_as_of_dropped: int = 0
    warnings: tuple[str, ...] = ()
    summary: dict[str, object] = field(default_factory=dict)  # type-specific figures, e.g. cost totals

    def __post_init__(self) -> None:
        object.__setattr__(self, "warnings", tuple(clean_text(w) for w in self.warnings))


@dataclass
class Dataset:
    """Everything the collectors produced for one project, ready for analysis."""

    samples: pd.DataFrame
    costs: pd.DataFrame
    evals: pd.DataFrame
    incidents: tuple[Incident, ...]
    sources: tuple[SourceReport, ...]
    kpis: pd.DataFrame = field(default_factory=lambda: empty_frame("kpis"))

    @classmethod
    def empty(cls) -> Dataset:
        return cls(empty_frame("samples"), empty_frame("costs"), empty_frame("evals"), (), ())

    def latest_timestamp(self) -> dt.datetime | None:
        """The end of the latest interval found in the data: the default as-of.

        A sample stamped `ts` describes `[ts, ts + step)` (step = the median spacing of the last points of its
        component × signal series), so a series whose last 5-minute sample is stamped 23:55 ends at 00:00 and
        the newest interval is inside `[start, as-of)`. Eval runs and incident timestamps are instants. A cost
        day counts with its whole day (next midnight) only when there are no samples: billing exports often
        carry a partial current day, whose end would lie ahead of the telemetry; with samples, a cost day
        counts from its start."""
        candidates: list[pd.Timestamp] = []
        if len(self.samples):
            candidates.append(_latest_sample_end(self.samples))
        if len(self.evals):
            candidates.append(self.evals["ts"].max())
        if len(self.costs):
            day = self.costs["day"].max()
            candidates.append(day if len(self.samples) else day + pd.Timedelta(days=1))
        for inc in self.incidents:
            for t in (inc.created_at, inc.resolved_at):
                if t is not None:
                    candidates.append(pd.Timestamp(t))
        if not candidates:
            return None
        return max(candidates).to_pydatetime()


STEP_LOOKBACK = pd.Timedelta(days=3)
"""`latest_timestamp` reads the step of the series that end last from their points in this span before the
newest sample (enough for daily series; coarser series end before the newest sample anyway)."""


def _latest_sample_end(samples: pd.DataFrame) -> pd.Timestamp:
    """max over component × signal series of (last ts + the series' step = the median spacing of its points
    in the last STEP_LOOKBACK); a series with one point there ends at that point."""
    latest = samples["ts"].max()
    recent = samples.loc[samples["ts"] >= latest - STEP_LOOKBACK, ["component", "signal", "ts"]]
    recent = recent.drop_duplicates().sort_values("ts", kind="stable")
    grouped = recent.groupby(["component", "signal"], sort=False)["ts"]
    steps = recent["ts"] - grouped.shift()
    step = steps.groupby([recent["component"], recent["signal"]], sort=False).median()
    last = grouped.max()
    ends = last + step.reindex(last.index).fillna(pd.Timedelta(0))
    return ends.max()


def codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes of a text column and the distinct values they index, in first-seen order (pyarrow
    dictionary encoding when the column is Arrow-backed: several times faster than pandas.factorize on
    tens of millions of rows)."""
    array = getattr(column.array, "_pa_array", None)
    if array is not None:
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(array).combine_chunks()
        raw = encoded.indices.to_numpy(zero_copy_only=False)
        return raw, [str(v) for v in encoded.dictionary.to_pylist()]
    raw, uniques = pd.factorize(column.astype("str"))
    return raw, [str(v) for v in uniques]
