"""The story the demo data tells, as plain data.

One scenario drives every export: the truth model (`truth.py`) turns it into time series, and each exporter
writes those series in one vendor's format. `DEMO` is the repository's demo project (2026-W23 to 2026-W47);
`EXAMPLE` is the small project `sentinel init` writes.

Planted conditions in `DEMO` (each one is something a publication must notice):

- a provider outage on Wednesday 2026-11-04 (W45): Anthropic API errors take chat-api and agent-orchestrator
  availability down to about 60% for 2.5 hours (a page-level burn of about 70x, about half of the 28-day
  budget), SEV1 in PagerDuty;
- a latency regression on rag-retrieval after a deploy on 2026-10-13 (W42), p95 above 2500 ms for 3 days,
  SEV2 in incident.io;
- an eval pass-rate dip on rag-retrieval after a model version change on 2026-10-26 (W44), rolled back after
  5 days;
- a 48-hour telemetry outage on vector-store (2026-11-10 and 2026-11-11, W46): no samples at all, and no
  incident record either (the service kept running; only its metrics agent stopped);
- batch-summarisation expects `quality` but has no eval source at all;
- a prompt-cache regression on chat-api in W43-W44 (cache reads collapse, uncached input and cost rise);
- about 7% of cloud spend carries no component or team tag;
- a jailbreak prompt pattern on Wednesday 2026-11-18 (W47): unsafe completions on chat-api (toxicity check
  pass rate down for one eval run, input drift critical), a SEV2 of class safety in incident.io with AICS
  roles but no Safety Officer; chat-api is marked high-risk, so it is a possible EU AI Act reporting
  candidate;
- Support Copilot moved from Helicone to OpenTelemetry GenAI traces on 2026-11-16 (W47); its Japanese
  replies pass the judge less often than the overall rate, which stays on target; the traces carry no
  time to first token or request cost, so those series go stale (a planted gap);
- Knowledge Search answer acceptance and CSAT fall while the candidate answer model is live (W44);
- the self-hosted GPU pool serves its tokens at a cost compared with an API price (self-hosting slide).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


@dataclass(frozen=True)
class ComponentSpec:
    """One component and the baseline behaviour of its traffic."""

    id: str
    name: str
    group: str
    tier: int
    customer_facing: bool
    owner: str
    requests_per_second: float  # mean rate at the start of the data
    error_ratio: float  # baseline share of failed requests
    latency_p95_ms: float  # baseline p95 at average load
    saturation: float | None = None  # baseline GPU or memory utilisation, when the component reports it


@dataclass(frozen=True)
class Degradation:
    """A window in which a component behaves worse than its baseline."""

    component: str
    start: dt.datetime
    end: dt.datetime
    error_ratio: float | None = None  # replaces the baseline error ratio
    latency_factor: float = 1.0  # at average load; the extra latency scales with load (queueing)
    saturation: float | None = None  # replaces the baseline level


@dataclass(frozen=True)
class ModelChange:
    """An eval-visible model version change on a component, and its rollback."""

    component: str
    start: dt.datetime
    end: dt.datetime  # rollback to `previous`
    previous: str
    candidate: str
    pass_rate: float  # eval pass rate while the candidate was live
    baseline_pass_rate: float


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime

    def contains(self, ts: dt.datetime) -> bool:
        return self.start <= ts < self.end


@dataclass(frozen=True)
class IncidentSpec:
    """An incident as it happened; the incident exporters write it in PagerDuty or incident.io shape."""

    key: str  # stable key used by content (postmortems) and tests
    system: str  # "pagerduty" or "incidentio"
    title: str
    severity: str  # SEV1..SEV4
    components: tuple[str, ...]
    started: dt.datetime  # impact start
    created: dt.datetime
    acknowledged: dt.datetime
    mitigated: dt.datetime
    resolved: dt.datetime
    customer_impact: bool
    summary: str
    incident_class: str | None = None  # AI incident class (model.INCIDENT_CLASSES), a custom field
    roles: tuple[tuple[str, str], ...] = ()  # AICS role label -> team or role name, custom fields


@dataclass(frozen=True)
class SafetyEvent:
    """Online-eval runs of a check that judged more responses unsafe than usual, in a window."""

    component: str
    check: str  # eval name
    start: dt.datetime
    end: dt.datetime
    pass_rate: float


@dataclass(frozen=True)
class LlmUsage:
    """How a component uses one hosted model: tokens per request and the share of input read from cache."""

    component: str
    provider: str  # "anthropic" or "openai"
    model: str
    input_tokens: int  # all input tokens per request (uncached + cache read + cache write)
    output_tokens: int
    cache_read_share: float = 0.0
    cache_write_share: float = 0.0
    share_of_requests: float = 1.0  # share of the component's requests that call this model
    batch: bool = False  # billed at batch prices


@dataclass(frozen=True)
class Scenario:
    organization: str
    start: dt.datetime  # inclusive, a Monday 00:00 UTC
    end: dt.datetime  # exclusive
    components: tuple[ComponentSpec, ...]
    degradations: tuple[Degradation, ...] = ()
    telemetry_gaps: tuple[tuple[str, Window], ...] = ()  # (component, window) with no samples at all
    cache_regression: Window | None = None  # chat-api prompt cache misses
    model_changes: tuple[ModelChange, ...] = ()
    safety_events: tuple[SafetyEvent, ...] = ()
    incidents: tuple[IncidentSpec, ...] = ()
    llm_usage: tuple[LlmUsage, ...] = ()
    weekly_growth: float = 0.012
    unattributed_share: float = 0.07

    def component(self, component_id: str) -> ComponentSpec:
        for c in self.components:
            if c.id == component_id:
                return c
        raise KeyError(component_id)


# fmt: off
_COMPONENTS = tuple(ComponentSpec(*row) for row in (
    # id, name, group, tier, customer_facing, owner, requests/s, error ratio, p95 ms, saturation
    ("chat-api", "Assistant Chat API", "Customer-facing", 1, True, "Assistant Platform team",
     6.0, 0.0006, 1850),
    ("rag-retrieval", "Knowledge Search", "Customer-facing", 1, True, "Search and Retrieval team",
     3.0, 0.0008, 1400),
    ("agent-orchestrator", "Agent Orchestrator", "Customer-facing", 1, True, "Agents team",
     1.5, 0.0010, 2100),
    ("moderation", "Content Moderation", "Platform", 1, False, "Trust and Safety team", 8.0, 0.0004, 180),
    ("embeddings", "Embeddings Service", "Platform", 2, False, "ML Platform team", 12.0, 0.0005, 220),
    ("vector-store", "Vector Store", "Platform", 2, False, "Data Infrastructure team",
     14.0, 0.0003, 95, 0.62),
    ("gpu-inference", "Self-hosted GPU Inference", "Platform", 2, False, "ML Platform team",
     4.0, 0.0010, 900, 0.58),
    ("batch-summarisation", "Batch Summarisation", "Internal", 3, False, "Insights team", 0.008, 0.002, 9000),
    ("support-copilot", "Support Copilot", "Internal", 3, False, "Support Tooling team",
     0.00045, 0.004, 4200),
))
# fmt: on

_OUTAGE = Window(utc(2026, 11, 4, 14, 10), utc(2026, 11, 4, 16, 40))
_RAG_DEPLOY = Window(utc(2026, 10, 13, 10, 20), utc(2026, 10, 16, 11, 0))
_GPU_SATURATION = Window(utc(2026, 9, 16, 13, 0), utc(2026, 9, 16, 17, 30))
_EMBEDDINGS_REINDEX = Window(utc(2026, 8, 19, 2, 0), utc(2026, 8, 19, 3, 15))
_MODERATION_TIMEOUTS = Window(utc(2026, 7, 8, 9, 40), utc(2026, 7, 8, 10, 25))
_VECTOR_TELEMETRY = Window(utc(2026, 11, 10), utc(2026, 11, 12))
EMBEDDINGS_MAINTENANCE = Window(utc(2026, 11, 12, 2, 0), utc(2026, 11, 12, 4, 0))


def _minutes(window: Window, minutes: int) -> dt.datetime:
    return window.start + dt.timedelta(minutes=minutes)


DEMO = Scenario(
    organization="Acme AI Platform",
    start=utc(2026, 6, 1),
    end=utc(2026, 11, 23),
    components=_COMPONENTS,
    degradations=(
        Degradation("chat-api", _OUTAGE.start, _OUTAGE.end, error_ratio=0.36, latency_factor=1.6),
        Degradation("agent-orchestrator", _OUTAGE.start, _OUTAGE.end, error_ratio=0.42, latency_factor=1.4),
        Degradation("rag-retrieval", _RAG_DEPLOY.start, _RAG_DEPLOY.end, latency_factor=2.25),
        Degradation("gpu-inference", _GPU_SATURATION.start, _GPU_SATURATION.end, 0.035, 2.4, saturation=0.97),
        Degradation("embeddings", _EMBEDDINGS_REINDEX.start, _EMBEDDINGS_REINDEX.end, 0.004, 3.1),
        Degradation("moderation", _MODERATION_TIMEOUTS.start, _MODERATION_TIMEOUTS.end, 0.02, 4.0),
        Degradation(
            "embeddings", EMBEDDINGS_MAINTENANCE.start, EMBEDDINGS_MAINTENANCE.end, latency_factor=1.7
        ),
    ),
    telemetry_gaps=(("vector-store", _VECTOR_TELEMETRY),),
    cache_regression=Window(utc(2026, 10, 19, 9, 30), utc(2026, 11, 2, 10, 0)),
    model_changes=(
        ModelChange(
            "rag-retrieval",
            utc(2026, 10, 26, 9, 0),
            utc(2026, 10, 31, 9, 0),
            previous="gpt-4.1-2025-04-14",
            candidate="gpt-5-mini-2025-08-07",
            pass_rate=0.846,
            baseline_pass_rate=0.938,
        ),
    ),
    safety_events=(
        SafetyEvent(
            "chat-api", "toxicity_check", utc(2026, 11, 18, 11, 20), utc(2026, 11, 18, 15, 30), 0.965
        ),
    ),
    llm_usage=(
        LlmUsage("chat-api", "anthropic", "claude-sonnet-4-5", 3200, 380, 0.78, 0.04),
        LlmUsage("agent-orchestrator", "anthropic", "claude-sonnet-4-5", 9000, 1100, 0.70, 0.04),
        LlmUsage("rag-retrieval", "openai", "gpt-4.1-2025-04-14", 4200, 420, 0.30),
        LlmUsage("embeddings", "openai", "text-embedding-3-large", 800, 0),
        LlmUsage("batch-summarisation", "openai", "gpt-4.1-mini-2025-04-14", 18000, 900, batch=True),
        LlmUsage("support-copilot", "openai", "gpt-4.1-2025-04-14", 12000, 700, 0.25),
    ),
    incidents=(
        IncidentSpec(
            "provider-outage",
            # declared in incident.io, whose "Affected services" field lists both components it took down
            # (a PagerDuty incident belongs to one service, so it would charge the outage to chat-api alone)
            "incidentio",
            "Assistant Chat API and Agent Orchestrator failing: upstream LLM provider returning errors",
            "SEV1",
            ("chat-api", "agent-orchestrator"),
            started=_OUTAGE.start,
            created=_minutes(_OUTAGE, 4),
            acknowledged=_minutes(_OUTAGE, 7),
            mitigated=_OUTAGE.end,
            resolved=_minutes(_OUTAGE, 185),
            customer_impact=True,
            summary="Anthropic API returned overloaded and 5xx errors; no secondary provider was configured.",
            incident_class="provider_outage",
            roles=(
                ("Incident Commander", "Incident Command rotation"),
                ("Model SME", "ML Platform team"),
                ("Communications Lead", "Customer Support desk"),
            ),
        ),
        IncidentSpec(
            "rag-latency-regression",
            "incidentio",
            "Knowledge Search p95 latency above 2.5 s after retrieval ranking deploy",
            "SEV2",
            ("rag-retrieval",),
            started=_RAG_DEPLOY.start,
            created=_minutes(_RAG_DEPLOY, 50),
            acknowledged=_minutes(_RAG_DEPLOY, 58),
            mitigated=_RAG_DEPLOY.end,
            resolved=_RAG_DEPLOY.end + dt.timedelta(hours=2),
            customer_impact=True,
            summary="A re-ranking stage added in release 2026.10.13 doubled retrieval latency under load.",
            incident_class="infrastructure",
            roles=(("Incident Commander", "Search and Retrieval team"),),
        ),
        IncidentSpec(
            "rag-quality-dip",
            "incidentio",
            "Knowledge Search eval pass rate below target after model change",
            "SEV3",
            ("rag-retrieval",),
            started=utc(2026, 10, 26, 9, 0),
            created=utc(2026, 10, 27, 8, 30),
            acknowledged=utc(2026, 10, 27, 8, 45),
            mitigated=utc(2026, 10, 31, 9, 0),
            resolved=utc(2026, 10, 31, 12, 0),
            customer_impact=False,
            summary="Online evals flagged lower groundedness after the answer model change; rolled back.",
            incident_class="quality_regression",
            roles=(("Incident Commander", "Search and Retrieval team"), ("Model SME", "ML Platform team")),
        ),
        IncidentSpec(
            "chat-jailbreak",
            "incidentio",
            "Assistant Chat API returned unsafe completions to a jailbreak prompt pattern",
            "SEV2",
            ("chat-api",),
            started=utc(2026, 11, 18, 11, 20),
            created=utc(2026, 11, 18, 12, 35),
            acknowledged=utc(2026, 11, 18, 12, 41),
            mitigated=utc(2026, 11, 18, 13, 50),
            resolved=utc(2026, 11, 18, 15, 30),
            customer_impact=True,
            summary="A prompt pattern bypassed the output safety filter; a blocking rule was deployed.",
            incident_class="safety",
            roles=(
                ("Incident Commander", "Assistant Platform team"),
                ("Model SME", "ML Platform team"),
                ("Communications Lead", "Customer Support desk"),
            ),
        ),
        IncidentSpec(
            "gpu-saturation",
            "pagerduty",
            "GPU inference queueing: node pool at full utilisation",
            "SEV3",
            ("gpu-inference",),
            started=_GPU_SATURATION.start,
            created=_minutes(_GPU_SATURATION, 12),
            acknowledged=_minutes(_GPU_SATURATION, 19),
            mitigated=_GPU_SATURATION.end,
            resolved=_GPU_SATURATION.end + dt.timedelta(minutes=40),
            customer_impact=False,
            summary="Autoscaler limit reached during a batch backfill; limit raised.",
            incident_class="infrastructure",
        ),
        IncidentSpec(
            "embeddings-reindex",
            "pagerduty",
            "Embeddings latency elevated during index rebuild",
            "SEV4",
            ("embeddings",),
            started=_EMBEDDINGS_REINDEX.start,
            created=_minutes(_EMBEDDINGS_REINDEX, 9),
            acknowledged=_minutes(_EMBEDDINGS_REINDEX, 21),
            mitigated=_EMBEDDINGS_REINDEX.end,
            resolved=_EMBEDDINGS_REINDEX.end + dt.timedelta(minutes=15),
            customer_impact=False,
            summary="Index rebuild ran outside its maintenance window.",
            incident_class="infrastructure",
        ),
        IncidentSpec(
            "moderation-timeouts",
            "pagerduty",
            "Content Moderation timeouts after classifier model reload",
            "SEV3",
            ("moderation",),
            started=_MODERATION_TIMEOUTS.start,
            created=_minutes(_MODERATION_TIMEOUTS, 6),
            acknowledged=_minutes(_MODERATION_TIMEOUTS, 10),
            mitigated=_MODERATION_TIMEOUTS.end,
            resolved=_MODERATION_TIMEOUTS.end + dt.timedelta(minutes=30),
            customer_impact=False,
            summary="A classifier reload evicted the warm cache; requests timed out until warm-up completed.",
            incident_class="infrastructure",
        ),
    ),
)


EXAMPLE = Scenario(
    organization="Example AI Team",
    start=utc(2026, 11, 2),
    end=utc(2026, 11, 23),
    components=(
        ComponentSpec(
            "assistant-api", "Assistant API", "Customer-facing", 1, True, "Assistant team", 2.0, 0.0008, 1700
        ),
        ComponentSpec("retrieval", "Retrieval", "Platform", 2, False, "Search team", 3.0, 0.0006, 600),
    ),
    degradations=(
        Degradation("assistant-api", utc(2026, 11, 12, 15, 0), utc(2026, 11, 12, 15, 50), error_ratio=0.3),
    ),
    incidents=(
        IncidentSpec(
            "assistant-errors",
            "csv",
            "Assistant API errors after provider rate limiting",
            "SEV2",
            ("assistant-api",),
            started=utc(2026, 11, 12, 15, 0),
            created=utc(2026, 11, 12, 15, 6),
            acknowledged=utc(2026, 11, 12, 15, 11),
            mitigated=utc(2026, 11, 12, 15, 50),
            resolved=utc(2026, 11, 12, 16, 20),
            customer_impact=True,
            summary="Provider rate limits reached after a traffic spike.",
        ),
    ),
    weekly_growth=0.0,
    unattributed_share=0.05,
)
