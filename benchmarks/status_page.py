"""Status page at scale: 200 components x 90 days and 1,000 incidents (not a timed test).

    .venv/bin/python benchmarks/status_page.py [--components 200] [--incidents 1000] [--out benchmarks/out]

Builds synthetic facts in the shape of docs/facts.md (about 3% of days degraded or worse, 2% without data),
renders every status output once to warm up and then `--repeat` times, and reports the build time per phase
and the weight of status/index.html (bytes and gzip bytes at level 6, fixed mtime). With `--out` the
outputs are written there for inspection. Deterministic: a seeded random generator, no clock in the data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import random
import statistics
import time
from pathlib import Path
from typing import Any

from sentinel_reports.config import Config
from sentinel_reports.render.badges import badge_svg
from sentinel_reports.render.environment import make_environment
from sentinel_reports.render.feed import atom_feed
from sentinel_reports.render.status_api import api_documents, dumps
from sentinel_reports.render.status_incident import render_incident_pages
from sentinel_reports.render.status_page import render_status_page

AS_OF = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
STATES = ["operational"] * 95 + ["degraded_performance", "partial_outage", "major_outage"] + ["no_data"] * 2


def iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def synthetic(components: int, incidents: int, seed: int = 7) -> tuple[dict[str, Any], Config]:
    rng = random.Random(seed)
    config = Config.model_validate(
        {
            "organization": "Benchmark Platform",
            "components": [
                {"id": f"svc-{n:03d}", "name": f"Service {n:03d}", "group": f"Group {n // 20:02d}",
                 "customer_facing": n % 4 == 0, "tier": 1 + n % 3, "owner": "Platform team"}
                for n in range(components)
            ],
        }
    )  # fmt: skip
    last = AS_OF.date() - dt.timedelta(days=1)
    incident_list = []
    for n in range(incidents):
        start = AS_OF - dt.timedelta(minutes=rng.randint(60, 89 * 1440))
        minutes = rng.randint(5, 600)
        resolved = n >= 5
        incident_list.append(
            {
                "id": f"INC-{n:05d}", "title": f"Elevated error rate on service {n % components:03d}",
                "severity": rng.choice(["SEV1", "SEV2", "SEV3", "SEV4"]),
                "status": "resolved" if resolved else "investigating",
                "components": [f"svc-{n % components:03d}"], "started_at": iso(start), "created_at": iso(start),
                "acknowledged_at": iso(start + dt.timedelta(minutes=4)),
                "resolved_at": iso(start + dt.timedelta(minutes=minutes)) if resolved else None,
                "duration_minutes": float(minutes), "impact_minutes": float(minutes), "customer_impact": True,
                "mtta_minutes": 4.0, "time_to_resolve_minutes": float(minutes) if resolved else None,
                "postmortem": None, "business_impact": None,
                "updates": [{"at": iso(start + dt.timedelta(minutes=10)), "status": "identified", "body": "Cause identified; rolling back."}],
            }
        )  # fmt: skip
    comps = []
    for c in config.components:
        days = []
        for offset in range(89, -1, -1):
            state = rng.choice(STATES)
            uptime = (
                None
                if state == "no_data"
                else round(rng.uniform(0.95, 1.0) if state != "operational" else 0.9995, 4)
            )
            days.append(
                {"date": (last - dt.timedelta(days=offset)).isoformat(), "status": state, "uptime": uptime,
                 "incidents": [], "gap": state == "no_data", "maintenance": False}
            )  # fmt: skip
        comps.append(
            {"id": c.id, "name": c.name, "group": c.group, "tier": c.tier, "customer_facing": c.customer_facing,
             "owner": c.owner, "status": days[-1]["status"], "uptime_90d": 0.9991, "latency_p95_ms": 640.0, "days": days}
        )  # fmt: skip
    facts = {
        "as_of": iso(AS_OF),
        "summary": {"status": "Degraded", "budget_remaining": 0.41, "active_alerts": 3, "informational_alerts": 2,
                    "incident_mode": False, "incident_mode_detail": None},
        "components": comps,
        "slos": [{"name": f"{c.id}-availability", "component": c.id, "objective": 0.995, "window_days": 28,
                  "attainment": 0.9991, "budget_remaining": 0.82} for c in config.components],
        "incidents": incident_list,
        "maintenance": [],
        "gaps": [],
    }  # fmt: skip
    return facts, config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, default=200)
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    facts, config = synthetic(args.components, args.incidents)
    env = make_environment(None)
    phases = {
        "index.html": lambda: {"status/index.html": render_status_page(env, facts, config)},
        "incident pages": lambda: render_incident_pages(env, facts, config),
        "api json": lambda: {k: dumps(v) for k, v in api_documents(facts, config).items()},
        "atom feed": lambda: {"status/history.atom": atom_feed(facts, config)},
        "badges": lambda: {c["id"]: badge_svg(c["status"], title=c["name"]) for c in facts["components"]},
    }
    outputs: dict[str, str] = {}
    timings: dict[str, list[float]] = {name: [] for name in phases}
    for run in range(args.repeat + 1):
        for name, build in phases.items():
            start = time.perf_counter()
            result = build()
            if run:
                timings[name].append(time.perf_counter() - start)
            outputs.update(result)
    index = outputs["status/index.html"].encode("utf-8")
    gz = gzip.compress(index, compresslevel=6, mtime=0)
    cells = args.components * 90
    print(f"status page benchmark: {args.components} components x 90 days, {args.incidents} incidents")
    total = 0.0
    for name, values in timings.items():
        median = statistics.median(values)
        total += median
        print(f"  {name:<15} {median * 1000:8.1f} ms (median of {len(values)})")
    print(f"  {'total':<15} {total * 1000:8.1f} ms")
    print(
        f"  index.html      {len(index):>10,} bytes   gzip {len(gz):>9,} bytes   ({len(index) / cells:.1f} bytes per day cell)"
    )
    if args.out:
        for rel, text in outputs.items():
            if rel.startswith("status/"):
                path = args.out / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        print(f"  written to {args.out}")


if __name__ == "__main__":
    main()
