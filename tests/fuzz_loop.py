"""`make fuzz`: run every Hypothesis property with random seeds and many more examples, for a set time.

Each round draws a fresh seed, runs the property tests under the "fuzz" profile (see conftest.py) with
``SENTINEL_FUZZ_FACTOR`` times the suite's examples, and records the seed and the outcome. A failing round
prints the pytest command that replays it; the failure then belongs in the suite as an explicit ``@example``.

    python tests/fuzz_loop.py --minutes 30 --factor 20
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def property_files() -> list[str]:
    """Every test module that uses Hypothesis."""
    found = []
    for path in sorted((REPO / "tests").rglob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        if "from hypothesis import" in text and "@given" in text:
            found.append(str(path.relative_to(REPO)))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--factor", type=int, default=20, help="examples per property, times the suite's")
    parser.add_argument("--log", type=Path, default=REPO / "test-artifacts" / "fuzz.log")
    args = parser.parse_args()

    files = property_files()
    env = {**os.environ, "SENTINEL_HYPOTHESIS_PROFILE": "fuzz", "SENTINEL_FUZZ_FACTOR": str(args.factor)}
    args.log.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + args.minutes * 60
    rounds, failures = 0, []
    rng = random.SystemRandom()
    with args.log.open("a", encoding="utf-8") as log:
        while time.monotonic() < deadline:
            seed = rng.randrange(2**32)
            command = [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:randomly",
                f"--hypothesis-seed={seed}",
                *files,
            ]
            started = time.monotonic()
            proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
            rounds += 1
            tail = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
            line = (
                f"round {rounds} seed {seed} exit {proc.returncode} {time.monotonic() - started:.0f}s {tail}"
            )
            print(line, flush=True)
            log.write(line + "\n")
            if proc.returncode != 0:
                failures.append(seed)
                log.write(proc.stdout[-20000:] + "\n")
                print(proc.stdout[-6000:], flush=True)
    print(f"{rounds} rounds, {len(failures)} failed; seeds that failed: {failures or 'none'}")
    print(f"log: {args.log}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
