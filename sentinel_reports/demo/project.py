"""Which export carries which component's data, for the demo project and the `sentinel init` example.

The mapping here must agree with the `sources:` of the matching sentinel.yaml (`demo/project/sentinel.yaml`
and `scaffold/sentinel.yaml`): each count signal of a component comes from exactly one source, so no series
is counted twice.
"""

from __future__ import annotations

import datetime as dt

from . import aiops, costs, evals, incidents, requests, telemetry
from .costs import CloudResource
from .files import Writer
from .truth import Truth
from .usage import token_usage

CUSTOMER_5M = ["chat-api", "agent-orchestrator"]
RATE_15M = ["rag-retrieval", "moderation", "gpu-inference"]
LATENCY_15M = [*CUSTOMER_5M, *RATE_15M, "vector-store"]
SATURATION = ["gpu-inference", "vector-store"]

# (file, metric, components, signal, step in minutes, how values read): 5-minute counts only where burn-rate
# alerts are evaluated (the customer-facing LLM components), 15 minutes elsewhere.
PROMETHEUS_EXPORTS = [
    ("requests_total_5m.json.gz", "http_requests", CUSTOMER_5M, "requests_total", 5, "increase"),
    ("requests_good_5m.json.gz", "http_requests_ok", CUSTOMER_5M, "requests_good", 5, "increase"),
    ("request_rate_15m.json.gz", "http_requests_per_second", RATE_15M, "requests_total", 15, "rate"),
    ("request_ok_rate_15m.json.gz", "http_requests_ok_per_second", RATE_15M, "requests_good", 15, "rate"),
    ("latency_p95_15m.json.gz", "http_request_duration_p95_ms", LATENCY_15M, "latency_p95_ms", 15, "gauge"),
    ("ttft_p95_15m.json.gz", "llm_time_to_first_token_p95_ms", CUSTOMER_5M, "ttft_p95_ms", 15, "gauge"),
    ("saturation_15m.json.gz", "resource_utilisation_ratio", SATURATION, "saturation", 15, "gauge"),
]

ANTHROPIC_WORKSPACES = {"chat-api": "wrkspc_01AssistantChatProd", "agent-orchestrator": "wrkspc_01AgentsProd"}
OPENAI_PROJECTS = {
    "rag-retrieval": "proj_KnowledgeSearchProd",
    "embeddings": "proj_EmbeddingsProd",
    "batch-summarisation": "proj_InsightsBatch",
    "support-copilot": "proj_SupportCopilot",
}
PAGERDUTY_SERVICES = {
    "chat-api": ("PCHAT01", "Assistant Platform team"),
    "gpu-inference": ("PGPUINF", "ML Platform team"),
    "embeddings": ("PEMBED1", "ML Platform team"),
    "moderation": ("PMODER1", "Trust and Safety team"),
}


AWS_SERVICES = {  # kind -> ServiceName, ServiceCategory, ServiceSubcategory, ResourceType
    "ec2": ("Amazon Elastic Compute Cloud", "Compute", "Virtual Machines", "Instance"),
    "ebs": ("Amazon Elastic Block Store", "Storage", "Block Storage", "Volume"),
    "ecs": ("Amazon Elastic Container Service", "Compute", "Containers", "Task"),
    "lambda": ("AWS Lambda", "Compute", "Serverless", "Function"),
    "vpc": ("Amazon Virtual Private Cloud", "Networking", "Network Infrastructure", "NAT Gateway"),
    "logs": ("Amazon CloudWatch", "Management and Governance", "Observability", "Log Group"),
    "s3": ("Amazon Simple Storage Service", "Storage", "Object Storage", "Bucket"),
    "transfer": ("AWS Data Transfer", "Networking", "Network Connectivity", "Data Transfer"),
}
FARGATE_SKU = "Fargate-vCPU-Hours:perCPU"

# fmt: off
# (kind, resource, name, component (None: untagged), SKU, unit, list price, units per day, grows with traffic)
DEMO_RESOURCES = (
    ("ec2", "instance/gpu-pool", "gpu-inference node pool", "gpu-inference", "g6e.12xlarge", "Hours",
     10.493, 6 * 24, False),
    ("ec2", "instance/moderation-pool", "moderation classifier nodes", "moderation", "g6.2xlarge", "Hours",
     0.9776, 2 * 24, False),
    ("ec2", "instance/vector-pool", "vector-store cluster", "vector-store", "r7g.4xlarge", "Hours",
     0.8568, 6 * 24, False),
    ("ebs", "volume/vector-data", "vector-store volumes", "vector-store", "gp3", "GB-Hours",
     0.08 / 730, 288000, False),
    ("ecs", "service/prod/chat-api", "chat-api service", "chat-api", FARGATE_SKU, "vCPU-Hours",
     0.04048, 96 * 24, True),
    ("ecs", "service/prod/agent-orchestrator", "agent-orchestrator service", "agent-orchestrator",
     FARGATE_SKU, "vCPU-Hours", 0.04048, 48 * 24, True),
    ("lambda", "function:agent-tools", "agent tool runners", "agent-orchestrator", "Lambda-GB-Second",
     "GB-Seconds", 0.0000166667, 900000, True),
    ("ecs", "service/prod/rag-retrieval", "rag-retrieval service", "rag-retrieval", FARGATE_SKU, "vCPU-Hours",
     0.04048, 64 * 24, True),
    ("ecs", "service/prod/embeddings", "embeddings service", "embeddings", FARGATE_SKU, "vCPU-Hours",
     0.04048, 18 * 24, True),
    ("ecs", "service/prod/batch-summarisation", "batch summarisation jobs", "batch-summarisation",
     "Fargate-Spot-vCPU-Hours", "vCPU-Hours", 0.01274, 30 * 24, False),
    ("vpc", "natgateway/nat-prod", "prod NAT gateways", None, "NatGateway-Hours", "Hours",
     0.045, 3 * 24, False),
    ("vpc", "natgateway/nat-prod-bytes", "prod NAT data processed", None, "NatGateway-Bytes", "GB",
     0.045, 620, True),
    ("logs", "log-group:prod", "prod log ingestion", None, "DataProcessing-Bytes", "GB", 0.50, 96, True),
    ("s3", "acme-ai-shared-artifacts", "shared artifacts bucket", None, "TimedStorage-ByteHrs", "GB-Months",
     0.023 / 30, 31000, False),
    ("transfer", "transfer/internet", "data transfer out", None, "DataTransfer-Out-Bytes", "GB",
     0.09, 330, True),
)
EXAMPLE_RESOURCES = (
    ("ecs", "service/prod/assistant-api", "assistant-api service", "assistant-api", FARGATE_SKU, "vCPU-Hours",
     0.04048, 32 * 24, True),
    ("ecs", "service/prod/retrieval", "retrieval service", "retrieval", FARGATE_SKU, "vCPU-Hours",
     0.04048, 24 * 24, True),
    ("logs", "log-group:prod", "log ingestion", None, "DataProcessing-Bytes", "GB", 0.50, 6, True),
)
# fmt: on
# The GPU node pool limit was raised from 6 to 8 nodes after the 2026-09-16 saturation incident.
GPU_POOL_SCALE = ("instance/gpu-pool", dt.datetime(2026, 9, 17, tzinfo=dt.UTC), 8 / 6)


def cloud_resources(truth: Truth, rows: tuple[tuple, ...], account: str) -> list[CloudResource]:
    """FOCUS resources with ARNs in `account`; a tagged resource's team is its component's owner."""
    out = []
    for kind, resource, name, component, sku, unit, price, per_day, grows in rows:
        service = "ec2" if kind in ("ebs", "vpc", "transfer") else kind
        arn = f"arn:aws:s3:::{resource}" if kind == "s3" else f"arn:aws:{service}:{account}:{resource}"
        team = truth.scenario.component(component).owner if component else None
        scale = GPU_POOL_SCALE[1:] if resource == GPU_POOL_SCALE[0] else None
        out.append(
            CloudResource(
                arn, name, component, team, *AWS_SERVICES[kind], sku, unit, price, per_day, grows, scale
            )
        )
    return out


EVAL_SUITES = [
    evals.EvalSuite(
        "chat-api",
        "claude-sonnet-4-5",
        (("helpfulness", 0.93, 40), ("instruction_following", 0.95, 40), ("hallucination_check", 0.992, 60),
         ("toxicity_check", 0.99985, 120)),
    ),
    evals.EvalSuite(
        "rag-retrieval",
        "gpt-4.1-2025-04-14",
        (("answer_correctness", 0.938, 40), ("groundedness", 0.95, 40), ("hallucination_check", 0.99, 40)),
    ),
]  # fmt: skip
AGENT_SUITE = evals.EvalSuite(
    "agent-orchestrator",
    "claude-sonnet-4-5",
    (("task_completion", 0.89, 10), ("hallucination_check", 0.996, 12)),
)


def write_demo(w: Writer, truth: Truth) -> None:
    """Every export of the demo project."""
    for relpath, metric, components, signal, step_minutes, kind in PROMETHEUS_EXPORTS:
        telemetry.prometheus(
            w, truth, f"data/prometheus/{relpath}", metric, components, signal, step_minutes, kind
        )
    telemetry.csv_samples(
        w, truth, "data/telemetry/embeddings_hourly.csv.gz",
        [("embeddings", s, 60) for s in ("requests_total", "requests_good", "latency_p95_ms")],
    )  # fmt: skip
    telemetry.datadog_slo_history(
        w, truth, "data/datadog/vector-store_slo_history_{month}.json", "vector-store", 99.9
    )
    usages = token_usage(truth)
    costs.anthropic_cost_report(w, truth, usages, ANTHROPIC_WORKSPACES)
    costs.anthropic_usage_report(w, truth, usages, ANTHROPIC_WORKSPACES)
    costs.openai_costs(w, truth, usages, OPENAI_PROJECTS)
    costs.focus(w, truth, cloud_resources(truth, DEMO_RESOURCES, "us-east-1:210987654321"))
    requests.write_demo(w, truth, usages)
    evals.run_table(w, truth, "data/evals/online_evals.csv.gz", EVAL_SUITES)
    evals.otel_events(w, truth, "data/evals/agent_eval_events.jsonl.gz", AGENT_SUITE)
    incidents.pagerduty(w, truth.scenario, "data/incidents/pagerduty_raw_incidents.json", PAGERDUTY_SERVICES)
    incidents.incidentio(w, truth.scenario, "data/incidents/incidentio_incidents.json")
    aiops.business_kpis(w, truth, "data/kpis/business_kpis.csv.gz")
    aiops.drift_scores(w, truth, "data/telemetry/drift_scores_6h.csv.gz")
    for which in ("prompt", "generation"):
        aiops.vllm_tokens(w, truth, f"data/prometheus/vllm_{which}_tokens_1h.json.gz", which)


def write_example(w: Writer, truth: Truth) -> None:
    """The small dataset `sentinel init` writes: Prometheus, evals, a FOCUS bill and an incident table."""
    ids = [c.id for c in truth.scenario.components]
    for signal, metric in (("requests_total", "http_requests"), ("requests_good", "http_requests_ok")):
        telemetry.prometheus(w, truth, f"data/prometheus/{signal}.json", metric, ids, signal, 5, "increase")
    telemetry.prometheus(w, truth, "data/prometheus/latency_p95_ms.json", "http_request_duration_p95_ms", ids,
                         "latency_p95_ms", 15, "gauge")  # fmt: skip
    suite = evals.EvalSuite("assistant-api", "claude-haiku-4-5", (("helpfulness", 0.92, 30),))
    evals.run_table(w, truth, "data/evals/evals.csv", [suite])
    costs.focus(w, truth, cloud_resources(truth, EXAMPLE_RESOURCES, "eu-west-1:111122223333"))
    incidents.incidents_csv(w, truth.scenario, "data/incidents/incidents.csv")
