"""``make bench`` (``pantau bench all``): every scenario at sizes this 2-core machine finishes in
about half an hour, one after the other in the same minutes. Each result is appended as a JSON
line to ``bench/results/<date>.jsonl``; the tables for docs/benchmarks.md go to
``bench/results/<date>.md`` and stdout. A scenario that fails is reported and the rest still run."""
from __future__ import annotations

import sys
from datetime import datetime, timezone

from bench import results
from bench.command import progress_bar, run_scenario
from bench.report import table
from streams.errors import UserError

# (scenario, options), in the order run. The sizes (1,000,000 events or workers) take
# hours at today's throughput; these are what fits, and docs/benchmarks.md says so.
PLAN = [
    ("simulator", {"workers": 1_000_000, "processes": 2}),  # issue 5's figure: no broker or Redis needed
    ("replay", {"events": 20_000, "guarantee": "at_least_once", "pantau_only": False}),
    ("replay", {"events": 20_000, "guarantee": "exactly_once", "pantau_only": False}),
    # 1,000/s saturates the worker: latency grows with the backlog. 100/s is a rate it sustains.
    ("latency", {"rate": 1000, "seconds": 30, "idle_seconds": 0}),
    ("latency", {"rate": 100, "seconds": 60, "idle_seconds": None}),  # None: --idle-seconds
    ("recovery", {"workers": 20_000, "guarantee": "at_least_once"}),
    ("memory", {"workers": 5_000}),
    ("memory", {"workers": 20_000}),
    ("scaleout", {"events": 10_000, "partitions": 8}),
]


def run_all(options: dict) -> int:
    today = datetime.now(timezone.utc).date().isoformat()
    raw, tables = results.RESULTS_DIR / f"{today}.jsonl", results.RESULTS_DIR / f"{today}.md"
    done: dict[str, list[dict]] = {}
    failed = 0
    versions = results.versions()
    for scenario, params in PLAN:
        params = {k: options["idle_seconds"] if v is None else v for k, v in params.items()}
        print(f"bench {scenario} {params}", file=sys.stderr)
        try:
            with progress_bar() as progress:
                figures = run_scenario(scenario, params, progress)
        except UserError as exc:
            print(f"bench {scenario}: failed: {exc}", file=sys.stderr)
            failed += 1
            continue
        results.append(raw, results.record(scenario, params, figures, results.machine(), versions,
                                           datetime.now(timezone.utc)))
        done.setdefault(scenario, []).append(figures)
    text = "\n\n".join(f"### {scenario}\n\n{table(scenario, rows)}" for scenario, rows in done.items())
    tables.write_text(text + "\n")
    print(text)
    print(f"raw results appended to {raw}; tables in {tables}", file=sys.stderr)
    return 1 if failed else 0
