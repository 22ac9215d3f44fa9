"""Benchmark of the site build on the demo project: one week's brief in every format, the whole site cold
(no cache), and a no-change rebuild (everything from .sentinel/cache).

    .venv/bin/python benchmarks/build.py [--project .] [--week 2026-W47]

Each run builds into a temporary folder; the cold build uses a temporary copy of the project so the
project's own cache is neither used nor changed. Reports seconds per phase and the peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sentinel_reports.pipeline import build_site  # noqa: E402
from sentinel_reports.publications import Brief, week_brief  # noqa: E402
from sentinel_reports.session import Session  # noqa: E402


def timed(label: str, action):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"{label:<46} {seconds:8.2f} s", flush=True)
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=Path("."))
    parser.add_argument(
        "--week", default=None, help="the week for the one-brief timing (default: the latest)"
    )
    parser.add_argument(
        "--only", default=None, help="publications to build, e.g. brief,status (default: all)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sentinel-bench-") as tmp:
        root = Path(tmp)
        project = root / "project"
        shutil.copytree(args.project, project, ignore=shutil.ignore_patterns("site", ".sentinel", ".git", ".venv",
                                                                           "test-artifacts", "build", "*.egg-info"))  # fmt: skip
        cold, cold_s = timed(
            "whole site, cold (no cache)", lambda: build_site(project, root / "site", only=args.only)
        )
        print(f"  {len(cold.weeks)} weeks, {len(cold.decks)} decks, {cold.outputs} files")
        warm, warm_s = timed(
            "whole site, no-change rebuild", lambda: build_site(project, root / "site", only=args.only)
        )
        print(f"  {len(warm.reused_weeks)} weeks reused, {len(warm.rendered_weeks)} rendered, "
              f"facts from cache: {warm.facts_from_cache}")  # fmt: skip
        week = args.week or cold.weeks[-1]

        def one_brief() -> dict[str, bytes]:
            brief: Brief = week_brief(Session(project, use_cache=False), week, standalone=True)
            return brief.by_name(brief.render())

        files, one_s = timed(f"one brief, every format, uncached ({week})", one_brief)
        sizes = ", ".join(f"{name} {len(data) / 1024:.0f} KiB" for name, data in sorted(files.items()))
        print(f"  {sizes}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MiB; cold {cold_s:.1f} s, rebuild {warm_s:.2f} s, one brief {one_s:.2f} s")


if __name__ == "__main__":
    main()
