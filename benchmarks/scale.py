"""Scale benchmark of the whole build (a script, not a test).

    .venv/bin/python benchmarks/scale.py [--requests 10000000] [--focus 2000000] [--incidents 1000]
                                         [--components 50] [--dir /tmp/sentinel-scale] [--keep]

Generates one year (2026-01-01 .. 2026-12-31) for 50 components into a temporary project:

- LiteLLM request logs as Parquet (``LiteLLM_SpendLogs`` shape, one file per month, 10 million rows);
- a FOCUS 1.2 bill as Parquet (one file per month, 2 million rows, tags carry component and team);
- 1,000 PagerDuty incidents (``POST /analytics/raw/incidents`` reply, JSON);
- Prometheus ``query_range`` replies for GPU saturation (15-minute step, one file per month);
- sentinel.yaml with an availability and a latency SLO per component.

Then the builds, each cold and one-new-day build in its own process (so its peak RSS, VmHWM, is its own):

1. cold build (no .sentinel cache): wall and CPU seconds (this process and every worker it reaped), and the
   pipeline's phase timers (``BuildResult.phases``: timers around the work itself, exclusive when nested:
   config, fingerprint inputs, collect, fingerprint weeks, load stored facts, facts, facts JSON, narrative,
   page look-up, briefs, status, write site), and the CPU seconds per rendered brief that the render workers
   report by step (review, HTML and charts, PDF, email);
2. no-change rebuild, as the whole ``sentinel build`` command (interpreter start and imports included),
   paired with ``sentinel --version``: A B A B ..., ``--runs`` pairs after one unmeasured run of each, the
   median and min-max of each and of the ratio taken pair by pair;
3. one-new-day rebuild (a day of request logs, bill rows and telemetry appended as new files), as 1.

With ``--ingest``, also the ``llm_requests`` and ``focus`` collectors on the generated Parquet files against
a plain ``pyarrow.parquet.read_table`` of every column (each in a fresh process). That baseline reads more
than the collectors need; benchmarks/ingest.py and benchmarks/focus_ingest.py are the fair comparisons.

Targets on a 2-core machine: cold <= 60 s, no-change <= 0.5 s as a command (<= 3x ``sentinel --version``),
one new day <= 10 s, peak RSS <= 3 GB. The generators follow benchmarks/ingest.py and
benchmarks/focus_ingest.py (same shapes), with the year and file split this benchmark needs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

YEAR_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DAY_S = 86400
SERVICES = ["Amazon Bedrock", "Amazon EC2", "Amazon S3", "Amazon OpenSearch Service", "AWS Lambda"]


def component_ids(n: int) -> list[str]:
    return [f"svc-{i:02d}" for i in range(n)]


# -- generators ------------------------------------------------------------------------------------------


def request_logs(rows: int, start_s: int, span_s: int, n_comp: int, seed: int, first_id: int) -> pa.Table:
    """``LiteLLM_SpendLogs`` rows (as benchmarks/ingest.py), sorted by start time within [start, +span)."""
    rng = np.random.default_rng(seed)
    start_ms = start_s * 1000 + np.sort(rng.integers(0, span_s * 1000, rows))
    latency = rng.lognormal(7.0, 0.6, rows).astype("int64")
    ttft = (latency * rng.uniform(0.1, 0.5, rows)).astype("int64")
    group = rng.integers(0, n_comp, rows)
    prompt = rng.integers(50, 4000, rows)
    completion = rng.integers(1, 1500, rows)
    cache_read = (prompt * rng.uniform(0, 0.8, rows)).astype("int64")
    failed = rng.random(rows) < 0.004
    names = pa.array([f"group-{i:02d}" for i in range(n_comp)])
    meta = pc.binary_join_element_wise(
        '{"usage_object": {"cache_read_input_tokens": ',
        pa.array(cache_read).cast(pa.string()),
        ', "cache_creation_input_tokens": 0}}',
        "",
    )

    def ts(ms: np.ndarray) -> pa.Array:
        return pa.array(ms, pa.int64()).cast(pa.timestamp("ms"))

    ids = pa.array(np.arange(first_id, first_id + rows)).cast(pa.string())
    return pa.table(
        {
            "request_id": pc.binary_join_element_wise("req-", ids, ""),
            "call_type": pa.array(np.full(rows, "acompletion")),
            "spend": (prompt * 3e-6 + completion * 15e-6).round(6),
            "total_tokens": prompt + completion,
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "startTime": ts(start_ms),
            "endTime": ts(start_ms + latency),
            "completionStartTime": ts(start_ms + ttft),
            "model": pa.array(np.full(rows, "claude-sonnet-4-5")),
            "model_group": names.take(pa.array(group)),
            "metadata": meta,
            "status": pa.array(np.where(failed, "failure", "success")),
        }
    )


def focus_rows(rows: int, first_day: int, days: int, n_comp: int, seed: int) -> pa.Table:
    """FOCUS 1.2 rows (as benchmarks/focus_ingest.py) charged on ``days`` days from day ``first_day``."""
    rng = np.random.default_rng(seed)
    comps = component_ids(n_comp)
    resources = 5000
    res_component = np.random.default_rng(7).integers(0, n_comp, resources)
    tag_sets = [
        json.dumps({"component": comps[c], "team": f"team-{c % 12}", "env": "prod"}) if r % 20 else "{}"
        for r, c in enumerate(res_component)
    ]
    res = rng.integers(0, resources, rows)
    day = np.datetime64("2026-01-01") + (first_day + rng.integers(0, days, rows)).astype("timedelta64[D]")
    start = pa.array(day.astype("datetime64[s]"), pa.timestamp("s", tz="UTC"))
    cost = np.round(rng.gamma(1.5, 4.0, rows), 6)
    category = np.where(rng.random(rows) < 0.01, "Credit", np.where(rng.random(rows) < 0.01, "Tax", "Usage"))
    cost = np.where(category == "Credit", -cost, cost)
    return pa.table(
        {
            "BilledCost": cost,
            "BillingAccountId": pa.array(["000-00-000"] * rows),
            "BillingCurrency": pa.array(["USD"] * rows),
            "BillingPeriodStart": pc.cast(pc.floor_temporal(start, unit="month"), pa.string()),
            "ChargeCategory": category,
            "ChargeClass": pa.nulls(rows, pa.string()),
            "ChargeDescription": pa.array(["Usage charge"] * rows),
            "ChargePeriodEnd": pc.cast(pc.add(start, pa.scalar(DAY_S, pa.duration("s"))), pa.string()),
            "ChargePeriodStart": pc.cast(start, pa.string()),
            "ConsumedQuantity": np.round(rng.random(rows) * 100, 3),
            "EffectiveCost": cost,
            "ListCost": np.round(cost * 1.2, 6),
            "ProviderName": pa.array(["AWS"] * rows),
            "ResourceId": pc.take(
                pa.array([f"arn:aws:res/{r:05d}" for r in range(resources)]), pa.array(res)
            ),
            "ServiceName": pc.take(pa.array(SERVICES), pa.array(res % len(SERVICES))),
            "SkuId": pc.take(pa.array([f"sku-{r % 300}" for r in range(resources)]), pa.array(res)),
            "Tags": pc.take(pa.array(tag_sets), pa.array(res)),
        }
    )


def saturation(start_s: int, end_s: int, n_comp: int, seed: int, step_s: int = 900) -> dict:
    """A Prometheus ``query_range`` matrix reply: GPU saturation per service, gauge, ``step_s`` apart."""
    rng = np.random.default_rng(seed)
    times = np.arange(start_s, end_s, step_s)
    result = []
    for i, comp in enumerate(component_ids(n_comp)):
        values = np.clip(
            0.45 + 0.2 * np.sin(times / 86400 * 2 * np.pi + i) + rng.normal(0, 0.05, len(times)), 0, 1
        )
        metric = {"__name__": "gpu_utilisation", "service": comp, "env": "prod"}
        result.append(
            {"metric": metric, "values": [[int(t), f"{v:.4f}"] for t, v in zip(times, values, strict=True)]}
        )
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


def pagerduty(n: int, n_comp: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    created = np.sort(rng.integers(0, 365 * DAY_S - 7200, n))
    out = []
    for k, offset in enumerate(created):
        at = YEAR_START + dt.timedelta(seconds=int(offset))
        to_resolve = int(rng.integers(600, 4 * 3600))
        comp = int(rng.integers(0, n_comp))
        out.append(
            {
                "id": f"Q{k:06d}",
                "incident_number": k + 1,
                "description": f"Elevated errors on svc-{comp:02d} ({k})",
                "urgency": "high" if k % 3 == 0 else "low",
                "priority_name": ["P1", "P2", "P3", "P4"][int(rng.integers(0, 4))] if k % 5 else None,
                "service_id": f"PSVC{comp:02d}",
                "service_name": f"svc-{comp:02d}",
                "created_at": at.isoformat().replace("+00:00", "Z"),
                "resolved_at": (at + dt.timedelta(seconds=to_resolve)).isoformat().replace("+00:00", "Z"),
                "seconds_to_first_ack": int(rng.integers(30, 900)),
                "seconds_to_resolve": to_resolve,
                "major": bool(k % 97 == 0),
            }
        )
    return {"data": out, "more": False}


def config_text(n_comp: int) -> str:
    comps = component_ids(n_comp)
    lines = ["organization: Scale Benchmark AI Platform", "timezone: UTC", "currency: USD", "components:"]
    for i, c in enumerate(comps):
        lines += [
            f"  - {{id: {c}, name: Service {i:02d}, group: Group {i // 10}, owner: team-{i % 12},",
            f"     customer_facing: {str(i < 10).lower()}, tier: {1 + i % 3},",
            "     expects: [availability, latency, cost, saturation]}",
        ]
    lines.append("slos:")
    for c in comps:
        lines += [
            f"  - {{name: {c}-availability, component: {c}, objective: 0.995, window: 28d,",
            "     indicator: {ratio: {good: requests_good, total: requests_total}}}",
            f"  - {{name: {c}-latency, component: {c}, objective: 0.99, window: 28d,",
            "     indicator: {threshold: {signal: latency_p95_ms, op: lte, value: 4000}}}",
        ]
    mapping = ", ".join(f"group-{i:02d}: {c}" for i, c in enumerate(comps))
    services = ", ".join(f"PSVC{i:02d}: {c}" for i, c in enumerate(comps))
    lines += [
        "sources:",
        f'  - {{type: llm_requests, format: litellm, interval: 1h, path: "data/requests/*.parquet", components: {{{mapping}}}}}',
        '  - {type: focus, path: "data/billing/*.parquet", component_tag: component, team_tag: team}',
        f'  - {{type: pagerduty, path: "data/incidents/*.json", services: {{{services}}}}}',
        '  - {type: prometheus, path: "data/prometheus/*.json", signal: saturation, values: gauge}',
    ]
    return "\n".join(lines) + "\n"


def generate(root: Path, args: argparse.Namespace) -> None:
    n = args.components
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "sentinel.yaml").write_text(config_text(n), encoding="utf-8")
    for folder in ("requests", "billing", "incidents", "prometheus"):
        (root / "data" / folder).mkdir(parents=True, exist_ok=True)
    first_id = 0
    for month in range(12):
        m0 = dt.datetime(2026, month + 1, 1, tzinfo=dt.UTC)
        m1 = dt.datetime(2026 + (month == 11), (month + 1) % 12 + 1, 1, tzinfo=dt.UTC)
        days = (m1 - m0).days
        lo, hi = int(m0.timestamp()), int(m1.timestamp())
        rows = round(args.requests * days / 365)
        pq.write_table(
            request_logs(rows, lo, hi - lo, n, 100 + month, first_id),
            root / f"data/requests/2026-{month + 1:02d}.parquet",
        )
        first_id += rows
        first_day = (m0 - YEAR_START).days
        frows = round(args.focus * days / 365)
        pq.write_table(
            focus_rows(frows, first_day, days, n, 200 + month),
            root / f"data/billing/2026-{month + 1:02d}.parquet",
        )
        (root / f"data/prometheus/2026-{month + 1:02d}.json").write_text(
            json.dumps(saturation(lo, hi, n, 300 + month)), encoding="utf-8"
        )
    (root / "data/incidents/pagerduty.json").write_text(
        json.dumps(pagerduty(args.incidents, n, 5)), encoding="utf-8"
    )


def add_day(root: Path, args: argparse.Namespace) -> None:
    """2027-01-01: one more day of request logs, bill rows and telemetry, each in a new file."""
    n = args.components
    lo = int(dt.datetime(2027, 1, 1, tzinfo=dt.UTC).timestamp())
    pq.write_table(
        request_logs(args.requests // 365, lo, DAY_S, n, 999, args.requests + 1),
        root / "data/requests/2027-01-01.parquet",
    )
    pq.write_table(focus_rows(args.focus // 365, 365, 1, n, 998), root / "data/billing/2027-01-01.parquet")
    (root / "data/prometheus/2027-01-01.json").write_text(
        json.dumps(saturation(lo, lo + DAY_S, n, 997)), encoding="utf-8"
    )


def add_day_to_bill(project: Path) -> str:
    """An existing project (the demo): the last day of its newest FOCUS CSV file, one day later, as a new file
    next to it (the bill of the next day arriving). Returns the new file's path."""
    import csv
    import gzip
    import io

    newest = sorted((project / "data/billing").glob("*.csv*"))[-1]
    raw = newest.read_bytes()
    text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    last = max(r["ChargePeriodStart"][:10] for r in rows)
    day = [r for r in rows if r["ChargePeriodStart"][:10] == last]
    shift = dt.timedelta(days=1)
    for r in day:
        for col in ("ChargePeriodStart", "ChargePeriodEnd"):
            at = dt.datetime.fromisoformat(r[col].replace("Z", "+00:00")) + shift
            r[col] = at.isoformat().replace("+00:00", "Z")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(day)
    target = newest.with_name(newest.name.split(".")[0] + "-next-day.csv.gz")
    target.write_bytes(gzip.compress(out.getvalue().encode("utf-8"), mtime=0))
    return str(target.relative_to(project))


# -- workers (each in a fresh process) -------------------------------------------------------------------


def peak_rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def build_worker(project: Path, out: Path, use_cache: bool, only: str | None) -> dict:
    """One build in this process: its wall and CPU seconds (this process and the workers it reaped), and
    the pipeline's own phase timers (taken around the work, not between progress messages)."""
    import resource

    from sentinel_reports.pipeline import build_site

    def cpu_now() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    started, cpu0 = time.perf_counter(), cpu_now()
    result = build_site(project, out, use_cache=use_cache, only=only)
    ended = time.perf_counter()
    return {
        "seconds": ended - started,
        "cpu": cpu_now() - cpu0,
        "phases": result.phases,
        "brief_cpu": result.brief_cpu,
        "peak_rss_bytes": peak_rss_bytes(),
        "weeks": len(result.weeks),
        "rendered": len(result.rendered_weeks),
        "reused": len(result.reused_weeks),
        "decks": len(result.decks),
        "outputs": result.outputs,
        "facts_from_cache": result.facts_from_cache,
    }


def paired(command_a: list[str], command_b: list[str], runs: int) -> dict:
    """A and B run in turn (A B A B ..., after one unmeasured run of each), each as a whole process: the
    median and min-max of A's wall seconds, B's, and the ratio A/B taken pair by pair."""
    import resource
    import statistics

    def once(command: list[str]) -> tuple[float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)

    once(command_a), once(command_b)
    a, b = [], []
    for _ in range(runs):
        a.append(once(command_a))
        b.append(once(command_b))
    ratios = [x[0] / y[0] for x, y in zip(a, b, strict=True)]

    def spread(values: list[float]) -> tuple[float, float, float]:
        return statistics.median(values), min(values), max(values)

    return {
        "a": spread([w for w, _ in a]),
        "a_cpu": spread([c for _, c in a]),
        "b": spread([w for w, _ in b]),
        "ratio": spread(ratios),
    }


def narrative_worker(project: Path) -> dict:
    """The template narrator over every week's facts (from the facts cache of the last build)."""
    from sentinel_reports.narrative.template import narrate_week
    from sentinel_reports.session import Session

    session = Session(project)
    facts = session.week_facts(session.weeks)
    started = time.perf_counter()
    for doc in facts.values():
        narrate_week(doc, None, session.config)
    return {"seconds": time.perf_counter() - started, "weeks": len(facts)}


def ingest_worker(kind: str, project: Path) -> dict:
    from sentinel_reports.collectors.base import CollectContext
    from sentinel_reports.collectors.catalog import registry
    from sentinel_reports.pipeline import load_project

    config = load_project(project)
    index = next(i for i, s in enumerate(config.sources) if s.type == kind)
    src = config.sources[index]
    cls = registry()[kind]
    options = cls.Options.model_validate(src.model_dump(exclude_none=True))
    ctx = CollectContext(
        project_dir=config.project_dir, source_id=config.source_id(index), tz=config.tz, config=config
    )
    started = time.perf_counter()
    batch = cls().collect(options, ctx)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": batch.rows, "peak_rss_bytes": peak_rss_bytes()}


def scan_worker(kind: str, project: Path) -> dict:
    folder = {"llm_requests": "requests", "focus": "billing"}[kind]
    files = sorted((project / "data" / folder).glob("*.parquet"))
    started = time.perf_counter()
    rows = sum(pq.read_table(f).num_rows for f in files)
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_rss_bytes": peak_rss_bytes()}


def run_worker(*argv: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--worker", *argv], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"worker {argv} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- report ----------------------------------------------------------------------------------------------


def show_build(label: str, r: dict, target_s: float) -> bool:
    ok = r["seconds"] <= target_s and r["peak_rss_bytes"] <= 3e9
    print(
        f"{label:<22} {r['seconds']:8.2f} s, {r['cpu']:.1f} CPU-s (target {target_s:g} s)  "
        f"peak RSS {r['peak_rss_bytes'] / 1e9:5.2f} GB  weeks {r['weeks']} ({r['rendered']} rendered, "
        f"{r['reused']} reused)  decks {r['decks']}  files {r['outputs']}  {'ok' if ok else 'MISSED'}",
        flush=True,
    )
    phases = sorted(r["phases"].items(), key=lambda kv: -kv[1][0])
    shown = "  ".join(f"{k} {w:.2f}s/{c:.1f}" for k, (w, c) in phases if w >= 0.005)
    rest = r["seconds"] - sum(w for w, _ in r["phases"].values())
    print(f"{'':<22} phases (wall s/CPU-s): {shown}  unattributed {rest:.2f}s", flush=True)
    if r["rendered"] and r["brief_cpu"]:
        steps = "  ".join(f"{k} {v / r['rendered']:.2f}" for k, v in r["brief_cpu"].items())
        total = sum(r["brief_cpu"].values()) / r["rendered"]
        print(f"{'':<22} CPU-s per brief rendered (in the workers): {steps}  total {total:.2f}", flush=True)
    return ok


def show_command(label: str, r: dict, target_s: float) -> bool:
    (a, a_lo, a_hi), (b, b_lo, b_hi) = r["a"], r["b"]
    ratio, r_lo, r_hi = r["ratio"]
    ok = a <= target_s and ratio <= 3
    print(
        f"{label:<22} {a:8.2f} s ({a_lo:.2f}-{a_hi:.2f}), {r['a_cpu'][0]:.2f} CPU-s, as a command "
        f"(target {target_s:g} s, 3x `sentinel --version`)  `sentinel --version` {b:.3f} s ({b_lo:.3f}-{b_hi:.3f})  "
        f"ratio {ratio:.2f}x ({r_lo:.2f}-{r_hi:.2f})  {'ok' if ok else 'MISSED'}",
        flush=True,
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000_000)
    parser.add_argument("--focus", type=int, default=2_000_000)
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--components", type=int, default=50)
    parser.add_argument("--dir", type=Path, default=None, help="project folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the generated project and site")
    parser.add_argument("--only", default="", help="publications to build, e.g. brief,status (default: all)")
    parser.add_argument("--reuse-data", action="store_true", help="use the data already in --dir")
    parser.add_argument(
        "--project", type=Path, default=None, help="measure a copy of this project (e.g. the demo) instead"
    )
    parser.add_argument("--runs", type=int, default=5, help="paired runs of the no-change command")
    parser.add_argument(
        "--ingest",
        action="store_true",
        help="also time the llm_requests and focus collectors against a plain read of every column "
        "(benchmarks/ingest.py and focus_ingest.py compare them against what the product reads)",
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        if kind == "build":
            out = build_worker(
                Path(rest[0]), Path(rest[1]), use_cache=rest[2] == "cache", only=rest[3] or None
            )
        elif kind == "narrative":
            out = narrative_worker(Path(rest[0]))
        elif kind == "ingest":
            out = ingest_worker(rest[0], Path(rest[1]))
        else:
            out = scan_worker(rest[0], Path(rest[1]))
        print(json.dumps(out))
        return

    root = args.dir or Path(tempfile.mkdtemp(prefix="sentinel-scale-"))
    project, site = root / "project", root / "site"
    try:
        if args.project is not None:
            shutil.rmtree(root, ignore_errors=True)
            ignore = shutil.ignore_patterns(
                "site", ".sentinel", ".git", ".venv", "build", "*.egg-info", "test-artifacts"
            )
            shutil.copytree(args.project, project, ignore=ignore)
            print(f"measuring a copy of {args.project} in {project}", flush=True)
        elif not args.reuse_data:
            shutil.rmtree(root, ignore_errors=True)
            t = time.perf_counter()
            generate(project, args)
            size = sum(p.stat().st_size for p in (project / "data").rglob("*") if p.is_file())
            print(
                f"generated {args.components} components, {args.requests:,} request rows, {args.focus:,} FOCUS rows, "
                f"{args.incidents:,} incidents, saturation telemetry ({size / 1e6:.0f} MB) in "
                f"{time.perf_counter() - t:.1f} s under {project}",
                flush=True,
            )
        else:
            for extra in (project / "data").rglob("2027-01-01.*"):
                extra.unlink()
        shutil.rmtree(project / ".sentinel", ignore_errors=True)
        shutil.rmtree(site, ignore_errors=True)
        results = [
            show_build("cold build", run_worker("build", str(project), str(site), "cache", args.only), 60)
        ]
        sentinel = str(Path(sys.executable).with_name("sentinel"))
        command = [sentinel, "--quiet", "build", "--project", str(project), "--out", str(site)]
        command += ["--only", args.only] if args.only else []
        results.append(
            show_command("no-change rebuild", paired(command, [sentinel, "--version"], args.runs), 0.5)
        )
        narrative = run_worker("narrative", str(project))
        print(
            f"{'':<22} template narrator alone: {narrative['seconds']:.2f} s for {narrative['weeks']} weeks",
            flush=True,
        )
        if args.project is not None:
            print(f"{'':<22} new file: {add_day_to_bill(project)}", flush=True)
        else:
            add_day(project, args)
        results.append(
            show_build(
                "one-new-day rebuild", run_worker("build", str(project), str(site), "cache", args.only), 10
            )
        )
        for kind in ("llm_requests", "focus") if args.project is None and args.ingest else ():
            raw, ours = run_worker("scan", kind, str(project)), run_worker("ingest", kind, str(project))
            ratio = ours["seconds"] / raw["seconds"]
            results.append(ratio <= 2.0 and ours["peak_rss_bytes"] <= 3e9)
            print(
                f"ingest {kind:<15} {ours['rows']:>11,} rows  collector {ours['seconds']:6.2f} s "
                f"({ours['peak_rss_bytes'] / 1e9:.2f} GB)  raw pyarrow scan {raw['seconds']:6.2f} s  "
                f"ratio {ratio:.2f}x (target 2x) {'ok' if results[-1] else 'MISSED'}",
                flush=True,
            )
        print("all targets met" if all(results) else "some targets missed (see MISSED above)")
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
