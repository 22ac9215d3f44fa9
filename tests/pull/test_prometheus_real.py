"""`sentinel pull` against a real Prometheus (Debian's `prometheus` package, which includes promtool;
`make system-deps` installs it). A missing binary fails with a clear message instead of skipping.

Counters are backfilled into a TSDB from OpenMetrics text (`promtool tsdb create-blocks-from openmetrics`),
a `prometheus` server is started over it on a free 127.0.0.1 port, `sentinel pull` fetches two weeks of
5-minute counts, and the SLO attainment in `sentinel facts` must equal the one computed from the raw
counters. The query takes exact differences of the counter (`x - x offset 5m`): `increase()` extrapolates
to the window edges, so its sum over a week is not the counter's difference.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sentinel_reports.cli import app

START = dt.datetime(2026, 11, 8, tzinfo=dt.UTC)  # first counter sample
END = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)  # last counter sample
WEEK_START = dt.datetime(2026, 11, 16, tzinfo=dt.UTC)  # 2026-W47
WEEK_END = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
GOOD = 'sum by (service) (http_requests_total{code="200"}) - sum by (service) (http_requests_total{code="200"} offset 5m)'
TOTAL = "sum by (service) (http_requests_total) - sum by (service) (http_requests_total offset 5m)"


def _binary(name: str) -> str:
    found = shutil.which(name)
    if not found:
        pytest.fail(
            f"{name} is missing; install it with `apt-get update && apt-get install -y prometheus` "
            "(or run `make system-deps`)"
        )
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def counters(seed: int = 18) -> dict[str, dict[dt.datetime, int]]:
    """Per-minute cumulative counts of two series: code 200 and code 500 (with an error burst)."""
    rng = random.Random(seed)
    out: dict[str, dict[dt.datetime, int]] = {"200": {}, "500": {}}
    ok = err = 0
    t = START
    while t <= END:
        ok += rng.randint(80, 120)
        burst = (
            dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)
            <= t
            < dt.datetime(2026, 11, 18, 10, 30, tzinfo=dt.UTC)
        )
        err += rng.randint(20, 40) if burst else rng.randint(0, 1)
        out["200"][t], out["500"][t] = ok, err
        t += dt.timedelta(minutes=1)
    return out


def openmetrics(series: dict[str, dict[dt.datetime, int]]) -> str:
    lines = ["# TYPE http_requests counter"]
    for code, points in series.items():
        for t, v in points.items():
            lines.append(f'http_requests_total{{service="chat-api",code="{code}"}} {v} {int(t.timestamp())}')
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def write_project(root: Path, url: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    sources = ""
    for signal_name, query in (("requests_good", GOOD), ("requests_total", TOTAL)):
        sources += (
            f"  - id: prom-{signal_name.split('_')[1]}\n    type: prometheus\n"
            f"    path: data/prometheus/{signal_name}/*.json\n    signal: {signal_name}\n    values: increase\n"
            f"    pull: {{url: {json.dumps(url)}, query: {json.dumps(query)}, step: 5m}}\n"
        )
    (root / "sentinel.yaml").write_text(
        "organization: Real Prometheus Test\n"
        "components:\n  - {id: chat-api, name: Chat API, owner: Platform team, expects: [availability]}\n"
        "slos:\n  - name: chat-availability\n    component: chat-api\n    objective: 0.99\n    window: 7d\n"
        "    indicator: {ratio: {good: requests_good, total: requests_total}}\n"
        f"sources:\n{sources}",
        encoding="utf-8",
    )


@pytest.fixture
def prometheus_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    promtool, prometheus = _binary("promtool"), _binary("prometheus")
    series = counters()
    source = tmp_path / "counters.om"
    source.write_text(openmetrics(series), encoding="utf-8")
    tsdb = tmp_path / "tsdb"
    started = time.monotonic()
    # one block per day of data instead of the default two hours: a faster backfill
    subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=24h",
                    str(source), str(tsdb)],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    backfill = time.monotonic() - started
    config = tmp_path / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\nscrape_configs: []\n", encoding="utf-8")
    port = _free_port()
    log = (tmp_path / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [prometheus, f"--config.file={config}", f"--storage.tsdb.path={tsdb}",
         # backfilled blocks are older than the default 15-day retention: keep them
         "--storage.tsdb.retention.time=100y", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "prometheus did not become ready:\n" + (tmp_path / "prometheus.log").read_text()[-2000:]
                )
            time.sleep(0.2)
        yield (
            url,
            series,
            {"backfill_seconds": backfill, "ready_seconds": time.monotonic() - started - backfill},
        )
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()


def _requests(output: str) -> int:
    m = re.search(r"(\d+) requests", output)
    assert m, output
    return int(m.group(1))


def test_pull_from_a_real_prometheus_gives_the_attainment_of_the_raw_counters(
    prometheus_server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    url, series, timings = prometheus_server
    project = tmp_path / "project"
    write_project(project, url)
    runner = CliRunner()
    args = ["pull", "--project", str(project), "--since", "2026-11-09", "--until", "2026-11-22"]
    started = time.monotonic()
    first = runner.invoke(app, args)
    first_seconds = time.monotonic() - started
    assert first.exit_code == 0, first.output
    assert _requests(first.output) == 2 * 14  # two sources, 14 days, one request each (288 points < 11,000)
    files = sorted((project / "data/prometheus/requests_total").glob("*.json"))
    assert [f.stem for f in files] == [f"2026-11-{d:02d}" for d in range(9, 23)]

    started = time.monotonic()
    again = runner.invoke(app, args)
    second_seconds = time.monotonic() - started
    assert again.exit_code == 0, again.output
    assert _requests(again.output) == 0  # every day was complete: nothing fetched again
    assert "28 complete days skipped" in again.output

    facts = runner.invoke(app, ["facts", "--project", str(project), "--week", "2026-W47",
                                "--as-of", "2026-11-23T00:00:00Z"])  # fmt: skip
    assert facts.exit_code == 0, facts.output
    slo = json.loads(facts.stdout)["slos"][0]
    good = series["200"][WEEK_END] - series["200"][WEEK_START]
    total = good + series["500"][WEEK_END] - series["500"][WEEK_START]
    assert slo["period_attainment"] == pytest.approx(good / total, rel=1e-12)
    assert slo["attainment"] == pytest.approx(good / total, rel=1e-12)
    assert good / total < 0.999  # the burst is visible: the data is not trivially perfect
    print(
        f"\nreal prometheus: backfill {timings['backfill_seconds']:.2f}s, ready {timings['ready_seconds']:.2f}s, "
        f"first pull {_requests(first.output)} requests {first_seconds:.2f}s, "
        f"second pull {_requests(again.output)} requests {second_seconds:.2f}s"
    )
