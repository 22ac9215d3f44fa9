"""sentinel.yaml as pydantic models.

`load_config` validates the whole document and reports every problem in one ConfigError, each with its key
path (`slos[2].objective: ...`). Unknown keys are errors everywhere: a typo must not silently disable a check.
Source entries are validated by the collector registered for their `type` (see `collectors.base`), through
the `validate_source` hook, so third-party collectors get the same treatment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ConfigError, ConfigProblem
from .model import clean_tree
from .openslo import load_openslo

CONFIG_FILE = "sentinel.yaml"

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_MAX_SECONDS = 100 * 366 * 86400  # a century: beyond it a duration is a typo (and overflows)
SLUG_RE = r"^[a-z0-9][a-z0-9_.-]{0,63}$"


def parse_duration(value: Any, *, allow_zero: bool = False) -> dt.timedelta:
    """`30s`, `5m`, `1h`, `28d`, `2w` -> timedelta. Numbers are seconds. Months are not durations.

    Zero (a `window: 0d` has no error budget), negative, non-finite and absurdly long (over a century)
    values are a ValueError, never an overflow; ``allow_zero`` admits zero (`gaps.min_duration: 0s`: every
    missing interval is a gap)."""
    if isinstance(value, dt.timedelta):
        if value <= dt.timedelta(0) and not (allow_zero and value == dt.timedelta(0)):
            raise ValueError(f"expected a positive duration, found {value}")
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 30m, 6h or 28d, found {value!r}")
    seconds = None
    if isinstance(value, int | float):
        seconds = float(value) if abs(value) < 1e300 else float("inf")  # float(10**400) overflows
    elif isinstance(value, str):
        m = _DURATION_RE.match(value)
        if m:
            seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
    if seconds == 0 and not allow_zero:
        raise ValueError(f"expected a duration longer than zero, such as 30m, 6h or 28d, found {value!r}")
    if seconds is not None and 0 <= seconds < _MAX_SECONDS:
        return dt.timedelta(seconds=seconds)
    raise ValueError(f"expected a duration such as 30m, 6h or 28d, found {value!r}")


def format_duration(td: dt.timedelta) -> str:
    """The shortest exact spelling: 28d, 6h, 30m, 90s."""
    seconds = int(td.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


Duration = Annotated[dt.timedelta, BeforeValidator(parse_duration)]  # longer than zero
ZeroOrDuration = Annotated[dt.timedelta, BeforeValidator(lambda v: parse_duration(v, allow_zero=True))]
Slug = Annotated[str, Field(pattern=SLUG_RE)]
Fraction = Annotated[float, Field(gt=0, lt=1)]
Rate = Annotated[float, Field(ge=0, le=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Expectation = Literal[
    "availability", "latency", "ttft", "saturation", "quality", "safety", "tokens", "cost", "drift"
]


class Component(Strict):
    id: Slug
    name: str
    group: str = "Components"
    customer_facing: bool = False
    tier: Annotated[int, Field(ge=1, le=3)] = 2
    owner: str = Field(description="owning team or role, never a person")
    expects: list[Expectation] = []
    description: str = ""
    high_risk: bool = False  # a high-risk AI system (EU AI Act Annex III): enables regulatory flags


class RatioIndicator(Strict):
    good: str = "requests_good"
    total: str = "requests_total"


class ThresholdIndicator(Strict):
    signal: str
    op: Literal["lt", "lte", "gt", "gte"]
    value: float


class Indicator(Strict):
    ratio: RatioIndicator | None = None
    threshold: ThresholdIndicator | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Indicator:
        if (self.ratio is None) == (self.threshold is None):
            raise ValueError("give exactly one of `ratio` or `threshold`")
        return self


BudgetingMethod = Literal["occurrences", "timeslices", "ratio_timeslices"]


class SLO(Strict):
    """One service level objective.

    Ratio indicators default to the `occurrences` budgeting method (Σgood/Σtotal); threshold indicators are
    evaluated per sample interval (each interval is a slice that meets the threshold or not), i.e. `timeslices`.
    A calendar window (`window_kind: calendar`) runs from the start of the current `calendar_unit`.
    """

    name: Slug
    component: str
    objective: Fraction
    window: Duration = dt.timedelta(days=28)
    window_kind: Literal["rolling", "calendar"] = "rolling"
    calendar_unit: Literal["week", "month", "quarter"] | None = None
    indicator: Indicator
    budgeting_method: BudgetingMethod | None = None
    timeslice: Duration = dt.timedelta(minutes=5)
    timeslice_target: Fraction | None = None
    description: str = ""
    source: str | None = None  # the OpenSLO file this SLO came from, for provenance

    @model_validator(mode="after")
    def _method(self) -> SLO:
        method = self.budgeting_method
        if method is None:
            method = "occurrences" if self.indicator.ratio else "timeslices"
            object.__setattr__(self, "budgeting_method", method)
        if method == "ratio_timeslices" and self.timeslice_target is None:
            raise ValueError(
                "budgeting_method ratio_timeslices needs timeslice_target (the ratio a slice must reach)"
            )
        if method == "ratio_timeslices" and self.indicator.ratio is None:
            raise ValueError("budgeting_method ratio_timeslices needs a ratio indicator")
        if self.window_kind == "calendar" and self.calendar_unit is None:
            raise ValueError("a calendar window needs calendar_unit: week, month or quarter")
        return self

    @property
    def error_budget(self) -> float:
        return 1.0 - self.objective


class OpenSLORef(Strict):
    """An OpenSLO v1 document used as SLO definition(s). Its metric queries are opaque to us, so the
    entry names the canonical signals the indicator maps to."""

    openslo: str
    component: str | None = None  # default: spec.service
    good: str = "requests_good"
    total: str = "requests_total"
    signal: str | None = None  # for thresholdMetric indicators


def _http_url(value: str) -> str:
    """An http(s) URL with no credentials in it (they come from environment variables), without a final /."""
    if not re.match(r"^https?://[^\s/@]+(/\S*)?$", value):
        found = "a URL with user:password@ in it" if "@" in value else repr(value)
        raise ValueError(f"expected an http(s):// URL without credentials in it, found {found}")
    return value.rstrip("/")


class PullCommon(Strict):
    """What every `pull:` block has. `settle` is how long after a UTC day ends its data is final at the
    vendor; a day fetched earlier is incomplete and fetched again by the next `sentinel pull`."""

    base_url: str | None = None  # default: the vendor's public API
    timeout_seconds: Annotated[float, Field(gt=0)] = 30
    max_retries: Annotated[int, Field(ge=0, le=10)] = 5
    settle: Duration = dt.timedelta(hours=1)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value)


EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class PrometheusPull(PullCommon):
    url: str
    query: str
    step: Duration = dt.timedelta(minutes=5)
    token_env: EnvName | None = None  # bearer token
    username_env: EnvName | None = None  # basic auth, with password_env
    password_env: EnvName | None = None
    settle: Duration = dt.timedelta(minutes=15)

    @field_validator("url")
    @classmethod
    def _prometheus_url(cls, value: str) -> str:
        return _http_url(value)

    @model_validator(mode="after")
    def _auth(self) -> PrometheusPull:
        if self.step <= dt.timedelta(0):
            raise ValueError("`step` must be longer than zero")
        if (self.username_env is None) != (self.password_env is None):
            raise ValueError("basic auth needs both `username_env` and `password_env`")
        if self.token_env and self.username_env:
            raise ValueError(
                "give either `token_env` (bearer) or `username_env`/`password_env` (basic), not both"
            )
        return self


class DatadogPull(PullCommon):
    slo_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]
    site: str = "datadoghq.com"
    api_key_env: EnvName = "DD_API_KEY"
    app_key_env: EnvName = "DD_APP_KEY"


class AnthropicPull(PullCommon):
    api_key_env: EnvName = "ANTHROPIC_ADMIN_KEY"
    bucket_width: Literal["1h", "1d"] = "1h"  # usage report only; the cost report has daily buckets
    settle: Duration = dt.timedelta(hours=6)


class OpenAIPull(PullCommon):
    api_key_env: EnvName = "OPENAI_ADMIN_KEY"
    bucket_width: Literal["1h", "1d"] = "1h"  # usage only; costs come in daily buckets
    settle: Duration = dt.timedelta(hours=6)


class PagerDutyPull(PullCommon):
    token_env: EnvName = "PAGERDUTY_TOKEN"
    service_ids: list[str] = []  # only these services (default: every service the token can read)


class IncidentIoPull(PullCommon):
    api_key_env: EnvName = "INCIDENTIO_API_KEY"


PULL_MODELS: dict[str, type[PullCommon]] = {
    "prometheus": PrometheusPull,
    "datadog_slo_history": DatadogPull,
    "anthropic_usage_report": AnthropicPull,
    "anthropic_cost_report": AnthropicPull,
    "openai_usage": OpenAIPull,
    "openai_costs": OpenAIPull,
    "pagerduty": PagerDutyPull,
    "incidentio": IncidentIoPull,
}


# Source types that may read a table of the engine (`table:`) instead of files (`path:`).
TABLE_TYPES = ("llm_requests", "focus")
TABLE_NAME = re.compile(r"[A-Za-z_][\w$-]*(\.[A-Za-z_][\w$-]*){0,2}")


class SourceConfig(BaseModel):
    """Common fields of every source; the rest is validated by the collector for `type`.

    `pull` (how `sentinel pull` fetches the source's files; see `pull_settings`) is not a collector option,
    so it is left out of `model_dump` and never reaches the collector's `Options`."""

    model_config = ConfigDict(extra="allow", frozen=True)

    type: str
    path: str | None = None  # files: a glob or a folder, relative to the project
    table: str | None = None  # or a table of the engine (`schema.table`), for TABLE_TYPES (docs/engines.md)
    id: str | None = None
    pull: dict[str, Any] | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _path_or_table(self) -> SourceConfig:
        if self.table is not None and self.type not in TABLE_TYPES:
            raise ValueError(
                f"`table:` is for sources of type {' or '.join(TABLE_TYPES)}; a {self.type} source reads "
                "files: give `path:` instead"
            )
        if (self.path is None) == (self.table is None):
            raise ValueError(
                "give either `path:` (files) or `table:` (a table of the engine, e.g. logs.llm_requests), "
                + ("not both" if self.path is not None else "one of them")
            )
        if self.table is not None and not TABLE_NAME.fullmatch(self.table):
            raise ValueError(
                f"`table:` names a table as table, schema.table or catalog.schema.table (letters, digits, "
                f"_, $ and -), found {self.table!r}"
            )
        return self

    @property
    def where(self) -> str:
        """How messages name the source's data: its path, or `table <name>`."""
        return self.path if self.path is not None else f"table {self.table}"

    def pull_settings(self) -> PullCommon | None:
        """The validated `pull:` block, or None (load_config has already reported a bad one)."""
        if self.pull is None:
            return None
        return PULL_MODELS[self.type].model_validate(self.pull)


class Business(Strict):
    revenue_at_risk_per_minute: dict[str, Annotated[float, Field(ge=0)]] = {}
    degraded_revenue_at_risk_per_minute: dict[str, Annotated[float, Field(ge=0)]] = {}
    assumptions_source: str | None = None
    engineer_hour_cost: Annotated[float, Field(ge=0)] | None = None


class Budgets(Strict):
    monthly_spend: dict[str, Annotated[float, Field(gt=0)]] = {}


class Price(Strict):
    """Per million tokens, in the configured currency."""

    input: Annotated[float, Field(ge=0)]
    output: Annotated[float, Field(ge=0)]
    cache_read: Annotated[float, Field(ge=0)] | None = None
    cache_write_5m: Annotated[float, Field(ge=0)] | None = None
    cache_write_1h: Annotated[float, Field(ge=0)] | None = None
    source: str


class AlertRule(Strict):
    long: Duration
    short: Duration
    burn: Annotated[float, Field(gt=0)]

    @model_validator(mode="after")
    def _short_shorter(self) -> AlertRule:
        if self.short >= self.long:
            raise ValueError("`short` window must be shorter than `long`")
        return self


def _default_page() -> list[AlertRule]:
    return [
        AlertRule(long=dt.timedelta(hours=1), short=dt.timedelta(minutes=5), burn=14.4),
        AlertRule(long=dt.timedelta(hours=6), short=dt.timedelta(minutes=30), burn=6),
    ]


def _default_ticket() -> list[AlertRule]:
    return [AlertRule(long=dt.timedelta(days=3), short=dt.timedelta(hours=6), burn=1)]


class Alerts(Strict):
    page: list[AlertRule] = Field(default_factory=_default_page)
    ticket: list[AlertRule] = Field(default_factory=_default_ticket)


class Gaps(Strict):
    min_duration: ZeroOrDuration = dt.timedelta(minutes=15)
    stale_after: Duration = dt.timedelta(hours=2)
    min_coverage: Rate = 0.95


class StatusThresholds(Strict):
    """How a day (or now) is classified from the availability SLI; documented in docs/definitions.md.

    operational when the SLI meets the objective; degraded_performance below the objective; partial_outage
    below `partial_outage_below`; major_outage below `major_outage_below`; no_data when coverage is below
    gaps.min_coverage. Open incidents and maintenance windows can only make a status worse / maintenance.
    """

    partial_outage_below: Fraction = 0.95
    major_outage_below: Fraction = 0.80


class SeverityDefinition(Strict):
    """An AI-specific severity criterion, e.g. SEV2: toxicity_rate above its limit for 30 minutes on a
    customer-facing component. `limit` defaults to the quality limit of the signal (quality.*_max)."""

    severity: Literal["SEV1", "SEV2", "SEV3", "SEV4"]
    signal: str
    op: Literal["gt", "lt"] = "gt"
    limit: float | None = None
    for_: Duration = Field(default=dt.timedelta(minutes=30), alias="for")
    customer_facing_only: bool = True
    description: str


class IncidentRules(Strict):
    postmortem_due: Annotated[int, Field(ge=0)] = 5  # business days after resolution
    severity_definitions: list[SeverityDefinition] = []
    # names that may hold an AICS role besides the component owners and `teams` (role names, rotations)
    role_holders: list[str] = []


class DriftThresholds(Strict):
    warn: Annotated[float, Field(ge=0)]
    critical: Annotated[float, Field(ge=0)]
    source: str | None = None  # where the thresholds come from (e.g. "PSI rule of thumb: 0.1 / 0.25")


class Quality(Strict):
    eval_pass_target: dict[str, Rate] = {"default": 0.90}
    hallucination_max: Rate = 0.02
    toxicity_max: Rate = 0.001
    # per-segment pass rates (analysis/segments.py): segments expected per component, and the fewest cases
    # a segment needs before its rate is compared with the target
    expected_segments: dict[str, list[str]] = {}
    min_segment_cases: Annotated[int, Field(ge=1)] = 30
    drift: dict[str, DriftThresholds] = {}  # component (or "default") -> drift_score thresholds


class ReportingDeadline(Strict):
    case: str
    days: Annotated[int, Field(ge=0)]
    source: str


def _default_deadlines() -> list[ReportingDeadline]:
    # The deadlines commonly cited for EU AI Act Article 73 (serious incidents), with their source; editable.
    art = "EU AI Act (Regulation (EU) 2024/1689) Art. 73"
    return [
        ReportingDeadline(case="a serious incident", days=15, source=f"{art}(2)"),
        ReportingDeadline(
            case="a widespread infringement or a serious disruption of critical infrastructure",
            days=2,
            source=f"{art}(3)",
        ),
        ReportingDeadline(case="an incident where a death may be involved", days=10, source=f"{art}(4)"),
    ]


class Governance(Strict):
    eu_ai_act: bool = False
    reporting_deadlines: list[ReportingDeadline] = Field(default_factory=_default_deadlines)
    # incident classes that can make a SEV1/SEV2 on a high-risk component a reporting candidate
    candidate_classes: list[str] = ["safety", "data_exposure"]
    candidate_severities: list[Literal["SEV1", "SEV2", "SEV3", "SEV4"]] = ["SEV1", "SEV2"]


class Kpis(Strict):
    """Business KPI comparisons around model-version changes (analysis/kpi.py)."""

    window: Duration = dt.timedelta(days=7)  # each side of a change, cut to the time the version was live
    min_sample: Annotated[int, Field(ge=1)] = 1000  # trials (rates) or observations (means) per side
    min_days: Annotated[int, Field(ge=2)] = 3  # days per side (a mean KPI needs a spread)
    alpha: Annotated[float, Field(gt=0, lt=1)] = 0.05


class ApiPrice(Strict):
    input: Annotated[float, Field(ge=0)]  # per 1M tokens
    output: Annotated[float, Field(ge=0)]
    source: str


class SelfHosting(Strict):
    """Self-hosted GPU serving against an API for the same traffic (analysis/selfhost.py)."""

    component: str  # the self-hosted component whose bill and request logs are compared
    api_price: ApiPrice | None = None  # the API that would carry the same traffic
    engineering_monthly: Annotated[float, Field(ge=0)] | None = None  # people cost to run the stack
    engineering_source: str | None = None


class Narrator(Strict):
    kind: Literal["template", "claude"] = "template"
    model: str | None = None
    max_usd_per_build: Annotated[float, Field(ge=0)] = 2.0
    api_key_env: str = "ANTHROPIC_API_KEY"
    draft_closed_periods: bool = False

    @model_validator(mode="after")
    def _model_for_claude(self) -> Narrator:
        if self.kind == "claude" and not self.model:
            raise ValueError("narrator kind claude needs `model`")
        return self


class Engine(Strict):
    """Where row-level sources are aggregated (docs/engines.md). DuckDB runs embedded; Spark runs the same
    Ibis queries through PySpark (`pip install 'sentinel-reports[spark]'`, Java 17); ClickHouse, Trino and
    BigQuery take them too through their Ibis backends, with `connection` passed to `ibis.<kind>.connect`."""

    kind: Literal["duckdb", "spark", "clickhouse", "trino", "bigquery"] = "duckdb"
    master: str | None = None  # Spark master URL, e.g. local[2] or spark://host:7077
    memory_limit: Annotated[str, Field(pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")] = "1GB"
    threads: Annotated[int, Field(ge=1)] | None = None  # DuckDB threads; default: the CPUs
    temp_directory: str = ".sentinel/tmp"  # where DuckDB spills what does not fit in memory_limit
    database: str | None = None  # a DuckDB database file holding `table:` sources (default: in memory)
    connection: dict[str, str | int | bool] = {}  # keyword arguments of ibis.<kind>.connect

    @model_validator(mode="before")
    @classmethod
    def _spark_master(cls, value: Any) -> Any:
        if isinstance(value, dict) and value.get("kind") == "spark" and value.get("master") is None:
            return {**value, "master": "local[2]"}
        return value

    @model_validator(mode="after")
    def _fits_kind(self) -> Engine:
        if self.master is not None and self.kind != "spark":
            raise ValueError(f"`master` is a Spark setting; engine kind is {self.kind}")
        if self.database is not None and self.kind != "duckdb":
            raise ValueError(f"`database` is a DuckDB setting; engine kind is {self.kind}")
        if self.kind in ("duckdb", "spark") and self.connection:
            raise ValueError(f"`connection` is for clickhouse, trino or bigquery; engine kind is {self.kind}")
        return self


class Smtp(Strict):
    host: str = "localhost"
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    starttls: bool = True
    ssl: bool = False
    username_env: str | None = None
    password_env: str | None = None
    timeout_seconds: Annotated[float, Field(gt=0)] = 30


class Email(Strict):
    from_: str = Field(alias="from")
    to: list[str]
    smtp: Smtp = Smtp()


_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_URL_FORBIDDEN = re.compile(r"[\s<>\"'`\\]")


def check_base_url(value: str | None) -> str | None:
    """``site.base_url`` is an absolute http(s) URL with a host, or a relative path (``/reports/``).

    Every other scheme (``javascript:``, ``data:``, ``file:``), a scheme-relative ``//host`` and characters
    that would have to be escaped in a link (spaces, quotes, ``<>``, backslash) are refused: the value is
    written into links in the email, the Atom feed, the status API and the brief PDF.
    """
    if value is None or value == "":
        return value
    expected = "an http(s) URL such as https://reports.example.com/ or a relative path such as /reports/"
    if _URL_FORBIDDEN.search(value):
        raise ValueError(f"expected {expected}; found {value!r}, which holds a space, quote, <, > or \\")
    scheme = _URL_SCHEME.match(value)
    if scheme is not None:
        if scheme.group(1).lower() not in ("http", "https"):
            raise ValueError(f"expected {expected}; found the scheme {scheme.group(1)!r}")
        if not urlsplit(value).netloc:
            raise ValueError(f"expected {expected}; found {value!r}, which names no host")
    elif value.startswith("//"):
        raise ValueError(f"expected {expected}; found a scheme-relative URL {value!r}")
    return value


class Site(Strict):
    base_url: Annotated[str | None, AfterValidator(check_base_url)] = None
    paper: Literal["A4", "Letter"] = "A4"
    title: str | None = None
    # publications this project does not build, each with the reason `sentinel build` shows
    disabled: dict[Literal["brief", "status", "deck"], Annotated[str, Field(min_length=1)]] = {}


class ContentSettings(Strict):
    """How `content/` markdown is published."""

    allow_remote_images: bool = False


class StatusApi(Strict):
    strict_enums: bool = False


class Deck(Strict):
    pptx_template: str | None = None


class Config(Strict):
    organization: str
    timezone: str = "UTC"
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    components: list[Component]
    slos: list[SLO] = []
    sources: list[SourceConfig] = []
    business: Business = Business()
    budgets: Budgets = Budgets()
    teams: dict[str, list[Annotated[str, Field(min_length=1)]]] = {}
    incidents: IncidentRules = IncidentRules()
    prices: dict[str, Price] = {}
    alerts: Alerts = Alerts()
    gaps: Gaps = Gaps()
    status: StatusThresholds = StatusThresholds()
    quality: Quality = Quality()
    narrator: Narrator = Narrator()
    engine: Engine = Engine()
    email: Email | None = None
    site: Site = Site()
    content: ContentSettings = ContentSettings()
    status_api: StatusApi = StatusApi()
    deck: Deck = Deck()
    governance: Governance = Governance()
    kpis: Kpis = Kpis()
    self_hosting: SelfHosting | None = None

    # set by load_config, not by the user
    project_dir: Path = Field(default=Path("."), exclude=True)

    @field_validator("teams")
    @classmethod
    def _team_aliases(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        """Each alias names one team: matching ignores case and surrounding spaces."""
        seen: dict[str, str] = {}
        for team, aliases in value.items():
            for alias in [team, *aliases]:
                key = alias.strip().casefold()
                if seen.get(key, team) != team:
                    raise ValueError(f"alias {alias!r} is listed under both {seen[key]!r} and {team!r}")
                seen[key] = team
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r} (expected an IANA name such as UTC or Europe/Berlin)"
            ) from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def component(self, component_id: str) -> Component:
        for c in self.components:
            if c.id == component_id:
                return c
        raise KeyError(component_id)

    @property
    def component_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.components)

    def source_id(self, index: int) -> str:
        src = self.sources[index]
        return src.id or f"{src.type}-{index + 1}"


SourceValidator = Callable[[int, SourceConfig], list[ConfigProblem]]


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def problems_from_validation(exc: ValidationError, prefix: str = "", file: str = "") -> list[ConfigProblem]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p and "]" in p))
        path = _loc(loc)
        if prefix:
            path = f"{prefix}.{path}" if path and not path.startswith("[") else f"{prefix}{path}"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; unknown keys are not ignored)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        problems.append(ConfigProblem(path, msg, file))
    return problems


MAX_YAML_NODES = 100_000  # after aliases are expanded; a full sentinel.yaml has a few thousand
MAX_YAML_DEPTH = 50  # levels of nesting; sentinel.yaml and OpenSLO documents use fewer than ten


class YamlLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys and remembers the line of every key and list item.

    A repeated key would silently replace the first (a second ``slos: []`` wipes every SLO), so it is a
    ConstructorError at the second key's line. Merge keys (``<<: *anchor``) may still be overridden.
    ``lines`` maps ``id(container)`` to {key or index: 1-based line}; see ``line_of``.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.lines: dict[int, dict[Any, int]] = {}

    def _construct_map(self, node: yaml.MappingNode) -> Any:
        data: dict[Any, Any] = {}
        yield data
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: construct_mapping reports it
                continue
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    f"duplicate key {key!r} (first at line {first}); the second would replace the first",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        data.update(self.construct_mapping(node))
        lines = {}
        for key_node, _ in node.value:
            try:
                lines[self.construct_object(key_node, deep=True)] = key_node.start_mark.line + 1
            except TypeError:
                continue
        self.lines[id(data)] = lines

    def _construct_seq(self, node: yaml.SequenceNode) -> Any:
        data: list[Any] = []
        yield data
        data.extend(self.construct_sequence(node))
        self.lines[id(data)] = {i: item.start_mark.line + 1 for i, item in enumerate(node.value)}


YamlLoader.add_constructor("tag:yaml.org,2002:map", YamlLoader._construct_map)
YamlLoader.add_constructor("tag:yaml.org,2002:seq", YamlLoader._construct_seq)

YamlLines = dict[int, dict[Any, int]]


def load_yaml(text: str) -> tuple[Any, YamlLines]:
    """The document and its line map (see ``YamlLoader``); raises yaml.YAMLError (duplicate keys too)."""
    loader = YamlLoader(text)
    try:
        return loader.get_single_data(), loader.lines
    finally:
        loader.dispose()


_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def line_of(doc: Any, lines: YamlLines, path: str) -> int | None:
    """The line of the deepest key or item of ``path`` (``slos[2].window``) found in ``doc``, or None."""
    line, node = None, doc
    for index, key in _PATH_PART.findall(path or ""):
        part: Any = int(index) if index else key
        if isinstance(node, dict) and part in node:
            pass
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            pass
        else:
            break
        line = lines.get(id(node), {}).get(part, line)
        node = node[part]
    return line


def read_yaml(path: Path, what: str = "YAML") -> Any:
    """safe_load a file, turning every failure into a ConfigError naming file and line."""
    return read_yaml_lines(path, what)[0]


def read_yaml_lines(path: Path, what: str = "YAML") -> tuple[Any, YamlLines]:
    """``read_yaml`` with the document's line map (``line_of``)."""
    return _parse_yaml(path, _read_text(path, what), load_yaml)


def read_yaml_documents(path: Path, what: str = "YAML") -> list[Any]:
    """Every document of a multi-document YAML file (``---`` separated), in order, with the same refusals
    as ``read_yaml``: duplicate keys, nesting and size limits (each document checked, and all of them
    together), every failure a ConfigError naming file and line. Empty documents are left out."""
    docs, _ = _parse_yaml(path, _read_text(path, what), load_yaml_documents)
    return [doc for doc in docs if doc is not None]


def load_yaml_documents(text: str) -> tuple[list[Any], YamlLines]:
    """Every document of ``text`` and their shared line map; raises yaml.YAMLError (duplicate keys too)."""
    loader = YamlLoader(text)
    try:
        docs = []
        while loader.check_data():
            docs.append(loader.get_data())
        return docs, loader.lines
    finally:
        loader.dispose()


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(ConfigProblem("", f"{what} file not found", str(path))) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(ConfigProblem("", f"not valid UTF-8 at byte {exc.start}", str(path))) from None
    except (OSError, ValueError) as exc:  # a folder, no permission, a name the OS refuses
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(ConfigProblem("", f"cannot read {what} file: {reason}", str(path))) from None


def _parse_yaml(path: Path, text: str, load: Callable[[str], tuple[Any, YamlLines]]) -> tuple[Any, YamlLines]:
    try:
        doc, lines = load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        message = problem if problem.startswith("duplicate key") else f"invalid YAML: {problem}"
        raise ConfigError(
            ConfigProblem("", message, str(path), line=mark.line + 1 if mark else None)
        ) from None
    except RecursionError:
        message = f"document refused: nested more than {MAX_YAML_DEPTH} levels deep"
        raise ConfigError(ConfigProblem("", message, str(path))) from None
    problem = yaml_size_problem(doc)
    if problem:
        raise ConfigError(ConfigProblem("", f"document refused: {problem}", str(path)))
    return doc, lines


def yaml_size_problem(doc: Any) -> str | None:
    """Why `doc` is too big to validate, or None.

    YAML aliases share one object between every place that refers to it, so a few hundred bytes of nested
    aliases ("billion laughs") stand for billions of nodes; validation and `model_dump` would expand them.
    This walk is iterative and counts each shared object once per reference without expanding it.
    """
    sizes: dict[int, tuple[int, int]] = {}  # id -> (expanded nodes, height)
    on_path: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(doc, 1, False)]
    while stack:
        node, depth, finished = stack.pop()
        if not isinstance(node, dict | list):
            continue
        key = id(node)
        children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        if finished:
            on_path.discard(key)
            known = [sizes.get(id(c), (1, 0)) for c in children]
            sizes[key] = (1 + sum(n for n, _ in known), 1 + max((h for _, h in known), default=0))
            if sizes[key][0] > MAX_YAML_NODES:
                return f"its aliases expand to more than {MAX_YAML_NODES:,} values"
            continue
        if key in on_path:
            return "an alias refers to a value that contains it"
        if key in sizes:
            if depth + sizes[key][1] - 1 > MAX_YAML_DEPTH:
                return f"nested more than {MAX_YAML_DEPTH} levels deep"
            continue
        if depth > MAX_YAML_DEPTH:
            return f"nested more than {MAX_YAML_DEPTH} levels deep"
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children)
    return None


def load_config(
    project_dir: Path | str = ".",
    *,
    validate_source: SourceValidator | None = None,
) -> Config:
    """Read and validate `<project_dir>/sentinel.yaml`; raise one ConfigError listing every problem."""
    project_dir = Path(project_dir)
    path = project_dir / CONFIG_FILE
    raw, lines = read_yaml_lines(path, "configuration")
    original = raw  # as read, for the line numbers of problems
    raw = clean_tree(raw)  # no control or bidi characters past this point
    file = str(path)
    if not isinstance(raw, dict):
        raise ConfigError(
            ConfigProblem("", f"expected a mapping at the top level, found {type(raw).__name__}", file)
        )

    problems: list[ConfigProblem] = []
    # Expand OpenSLO references into plain SLO entries before validation.
    slos_raw = raw.get("slos") or []
    expanded: list[Any] = []
    if isinstance(slos_raw, list):
        for i, entry in enumerate(slos_raw):
            if isinstance(entry, dict) and "openslo" in entry:
                try:
                    ref = OpenSLORef.model_validate(entry)
                except ValidationError as exc:
                    problems.extend(problems_from_validation(exc, f"slos[{i}]", file))
                    continue
                try:
                    expanded.extend(load_openslo(project_dir, ref, read_yaml_documents))
                except ConfigError as exc:
                    problems.extend(
                        ConfigProblem(
                            f"slos[{i}]" + (f".{p.path}" if p.path else ""), p.message, p.file or file, p.line
                        )
                        for p in exc.problems
                    )
            else:
                expanded.append(entry)
        raw = {**raw, "slos": expanded}

    config: Config | None = None
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, file=file))

    if config is not None:
        problems.extend(_cross_check(config, file))
        if validate_source is not None:
            for i, src in enumerate(config.sources):
                problems.extend(dataclasses.replace(p, file=p.file or file) for p in validate_source(i, src))
    if problems:
        openslo = isinstance(slos_raw, list) and any(isinstance(e, dict) and "openslo" in e for e in slos_raw)
        raise ConfigError([_located(p, original, lines, file, openslo) for p in problems])
    assert config is not None
    return config.model_copy(update={"project_dir": project_dir})


def _located(problem: ConfigProblem, doc: Any, lines: YamlLines, file: str, openslo: bool) -> ConfigProblem:
    """The problem with the line of its key in sentinel.yaml (SLO indexes shift when OpenSLO files expand)."""
    if problem.line is not None or problem.file != file or (openslo and problem.path.startswith("slos")):
        return problem
    line = line_of(doc, lines, problem.path)
    return dataclasses.replace(problem, line=line) if line is not None else problem


def _cross_check(config: Config, file: str) -> list[ConfigProblem]:
    """Checks that span several sections: every reference names something that exists."""
    problems: list[ConfigProblem] = []
    ids = set(config.component_ids)
    seen: set[str] = set()
    for i, c in enumerate(config.components):
        if c.id in seen:
            problems.append(ConfigProblem(f"components[{i}].id", f"duplicate component id {c.id!r}", file))
        seen.add(c.id)
    names: set[str] = set()
    for i, slo in enumerate(config.slos):
        if slo.component not in ids:
            problems.append(
                ConfigProblem(
                    f"slos[{i}].component",
                    f"unknown component {slo.component!r} (known: {sorted(ids)})",
                    file,
                )
            )
        if slo.name in names:
            problems.append(ConfigProblem(f"slos[{i}].name", f"duplicate SLO name {slo.name!r}", file))
        names.add(slo.name)
    for key in config.business.revenue_at_risk_per_minute:
        if key not in ids:
            problems.append(
                ConfigProblem(
                    f"business.revenue_at_risk_per_minute.{key}", f"unknown component {key!r}", file
                )
            )
    if config.business.revenue_at_risk_per_minute and not config.business.assumptions_source:
        problems.append(
            ConfigProblem("business.assumptions_source", "business assumptions must state their source", file)
        )
    for key in config.quality.eval_pass_target:
        if key != "default" and key not in ids:
            problems.append(
                ConfigProblem(f"quality.eval_pass_target.{key}", f"unknown component {key!r}", file)
            )
    for i, src in enumerate(config.sources):
        problems.extend(_pull_problems(i, src, file))
    source_ids: set[str] = set()
    for i, _ in enumerate(config.sources):
        sid = config.source_id(i)
        if sid in source_ids:
            problems.append(ConfigProblem(f"sources[{i}].id", f"duplicate source id {sid!r}", file))
        source_ids.add(sid)
    return problems


def pull_file_name(pattern: str) -> tuple[str, str] | None:
    """(folder, file name template with `{day}`) for the day files `sentinel pull` writes to a source whose
    `path` is `pattern`; None when the pattern cannot name them. The folder may hold no wildcard; the file
    name needs exactly one `*`, which becomes the UTC day (`data/prom/*.json` -> `data/prom/2026-11-20.json`,
    `data/anthropic/cost_report*.json` -> `cost_report2026-11-20.json`)."""
    folder, _, name = pattern.rpartition("/")
    if any(ch in folder for ch in "*?[") or name.count("*") != 1 or any(ch in name for ch in "?["):
        return None
    return folder, name.replace("*", "{day}")


def _pull_problems(index: int, src: SourceConfig, file: str) -> list[ConfigProblem]:
    if src.pull is None:
        return []
    where = f"sources[{index}].pull"
    if src.type not in PULL_MODELS:
        return [
            ConfigProblem(
                where, f"source type {src.type!r} cannot be pulled (known: {sorted(PULL_MODELS)})", file
            )
        ]
    problems = []
    if not isinstance(src.pull, dict):
        return [ConfigProblem(where, "expected a mapping", file)]
    try:
        PULL_MODELS[src.type].model_validate(src.pull)
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, where, file))
    if src.path is None or pull_file_name(src.path) is None:
        problems.append(
            ConfigProblem(
                f"sources[{index}].path",
                "a pulled source needs a path whose folder has no wildcard and whose file name has one `*` "
                f"for the day, e.g. data/prometheus/requests_total/*.json; found {src.path!r}",
                file,
            )
        )
    return problems
