"""The identity resolver alone, on a simulated population, in arrival order: how well it clusters.

    python -m bench.identity_quality DIR [--json]

Reads DIR/events.jsonl (what ``pantau simulate`` wrote), resolves every distinct event with
``domain.identity.resolver.Index`` over plain dicts, follows merges to each event's final worker,
and scores the clustering against DIR/truth with ``domain.scoring``. No Kafka: this is for
choosing the resolver's weights and thresholds on data with a known answer; the pipeline's own
figures come from ``pantau score``.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from domain.identity.resolver import WORKER, Index, Record, record_of
from domain.partner_json import parse_line
from domain.scoring import clustering_score
from streams.score import load_truth


def distinct_records(events_path: Path, progress: Progress | None = None) -> Iterator[Record]:
    """Each distinct event's identity fields, in arrival order; a partner's retry is left out."""
    seen = set()
    task = progress.add_task("reading events", total=events_path.stat().st_size) if progress else None
    with open(events_path) as lines:
        for line in lines:
            if progress:
                progress.advance(task, len(line))
            record = record_of(parse_line(line))
            if record.event_key not in seen:
                seen.add(record.event_key)
                yield record


def resolve_all(events_path: Path, progress: Progress | None = None) -> tuple[dict[str, str], Counter]:
    """event key → final worker id, and how each event was resolved."""
    index, decided, how = Index({}, {}, {}), {}, Counter()
    for record in distinct_records(events_path, progress):
        decision = index.resolve(record)
        decided[record.event_key] = decision.worker_id
        how[decision.how] += 1
    return {key: index.worker_of(f"{WORKER}:{worker}") for key, worker in decided.items()}, how


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.identity_quality", description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    truth = load_truth(args.directory)
    with Progress(console=Console(stderr=True), transient=True) as progress:
        worker_of, how = resolve_all(args.directory / "events.jsonl", progress)
    result = {"population": str(args.directory), "decisions": dict(how), **asdict(clustering_score(truth.person_of, worker_of))}
    if args.json:
        print(json.dumps(result))
    else:
        for name, value in result.items():
            print(f"{name:20} {value:.4f}" if isinstance(value, float) else f"{name:20} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
