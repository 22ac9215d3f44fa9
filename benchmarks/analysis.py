"""Benchmark of the analysis stage at the scale of SPEC section 10: 50 components, one year of 5-minute
samples of requests_total, requests_good and latency_p95_ms (about 105,000 points per series, 15.8 million
rows), two SLOs per component.

Phases timed: building the samples frame, coverage over the year and its gaps, SLO evaluation with burn
rates and alerts, 90-day component status, and a full week's facts. Peak memory is the process's maximum
resident set size (resource.getrusage).

    .venv/bin/python benchmarks/analysis.py [--components 50] [--days 365]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sentinel_reports.analysis.alerts import evaluate_alerts  # noqa: E402
from sentinel_reports.analysis.coverage import compute_coverage, find_gaps, telemetry_coverage  # noqa: E402
from sentinel_reports.analysis.facts import json_dumps_facts, week_facts  # noqa: E402
from sentinel_reports.analysis.periods import period_of  # noqa: E402
from sentinel_reports.analysis.series import SeriesIndex  # noqa: E402
from sentinel_reports.analysis.slo import evaluate_slo, sli_events  # noqa: E402
from sentinel_reports.analysis.status import component_slis, component_status  # noqa: E402
from sentinel_reports.config import Config  # noqa: E402
from sentinel_reports.model import Dataset, empty_frame  # noqa: E402

START = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)


def make_config(n: int) -> Config:
    components = [
        {
            "id": f"svc-{i:02d}",
            "name": f"Service {i:02d}",
            "tier": 1 + i % 3,
            "customer_facing": i % 2 == 0,
            "owner": f"Team {i % 7}",
            "expects": ["availability", "latency"],
        }
        for i in range(n)
    ]
    slos = []
    for c in components:
        slos.append(
            {
                "name": f"{c['id']}-availability",
                "component": c["id"],
                "objective": 0.995,
                "indicator": {"ratio": {}},
            }
        )
        slos.append(
            {
                "name": f"{c['id']}-latency",
                "component": c["id"],
                "objective": 0.99,
                "indicator": {"threshold": {"signal": "latency_p95_ms", "op": "lte", "value": 2500}},
            }
        )
    return Config.model_validate({"organization": "Benchmark", "components": components, "slos": slos})


def make_samples(n_components: int, days: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    points = days * 288
    ts = pd.date_range(START, periods=points, freq="5min", tz="UTC")
    frames = []
    for i in range(n_components):
        keep = np.ones(points, bool)
        for _ in range(3):  # three telemetry outages of up to 12 hours per component
            s = int(rng.integers(0, points - 144))
            keep[s : s + int(rng.integers(1, 144))] = False
        total = rng.poisson(1000, points).astype("float64")
        good = total - rng.binomial(total.astype("int64"), 0.002)
        latency = rng.gamma(9.0, 150.0, points)
        t = ts[keep]
        for signal, values in (
            ("requests_total", total),
            ("requests_good", good),
            ("latency_p95_ms", latency),
        ):
            frames.append(
                pd.DataFrame(
                    {
                        "ts": t,
                        "component": f"svc-{i:02d}",
                        "signal": signal,
                        "value": values[keep],
                        "source": "prom-1",
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    timings: list[tuple[str, float]] = []

    def phase(name: str, started: float) -> float:
        now = time.perf_counter()
        timings.append((name, now - started))
        return now

    t0 = time.perf_counter()
    config = make_config(args.components)
    samples = make_samples(args.components, args.days)
    as_of = START + dt.timedelta(days=args.days)
    t0 = phase(f"synthesise {len(samples):,} sample rows", t0)

    index = SeriesIndex(samples)
    t0 = phase("index series (factorise + sort)", t0)
    coverages = compute_coverage(
        samples, empty_frame("evals"), empty_frame("costs"), config, START, as_of, as_of, index=index
    )
    gaps = find_gaps(coverages, config, as_of, start=START, end=as_of)
    t0 = phase(f"coverage over {args.days} days + {len(gaps)} gaps", t0)

    events = {s.name: sli_events(index, s) for s in config.slos}
    results = [evaluate_slo(events[s.name], s, config, as_of) for s in config.slos]
    alerts = [evaluate_alerts(events[s.name], s, config.alerts, as_of, 0.95) for s in config.slos]
    t0 = phase(f"{len(results)} SLOs: attainment, 7 burn windows, {sum(map(len, alerts))} alert rules", t0)

    statuses = [
        component_status(component_slis(index, c, config, events), c.id, (), (), config, as_of)
        for c in config.components
    ]
    t0 = phase(f"status: {len(statuses)} components x 90 days", t0)

    data = Dataset(samples, empty_frame("costs"), empty_frame("evals"), (), ())
    week = period_of("week", as_of - dt.timedelta(days=1), config.tz)
    text = json_dumps_facts(week_facts(data, None, config, week, as_of))
    t0 = phase(f"week facts {week} ({len(text) / 1e6:.1f} MB JSON)", t0)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(f"analysis benchmark: {args.components} components, {args.days} days, 5-minute samples")
    for name, seconds in timings:
        print(f"  {seconds:8.2f} s  {name}")
    print(f"  {sum(s for _, s in timings[1:]):8.2f} s  analysis total (excluding synthesis)")
    print(f"  telemetry coverage {telemetry_coverage(coverages):.4f}; peak RSS {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
