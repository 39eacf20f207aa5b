"""Replay benchmark: how fast one ``pantau worker`` takes a backlog through the whole pipeline.

Preloads N partner events (full journeys of synthetic workers, shuffled, with partner
retries) onto the ingest topics of a fresh ``PANTAU_TOPIC_PREFIX``, then starts one worker
process and times it from its start until its metrics count every event finished (applied,
duplicate or dead letter: each has been through ingest, the by-worker topic, the table, the
state topic and Redis). The clock includes the worker's start-up; ``steady_events_per_s``
leaves it out (from the first event accepted to the last finished).

    python -m bench.replay --events 70000 --json

prints one JSON line: events, seconds, events_per_s, startup_seconds, steady_events_per_s,
worker_cpu_seconds, events_per_cpu_s.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from streams.publish import publish
from bench.isolated import isolated_pipeline
from streams.settings import Settings
from streams.worker_process import FINAL_OUTCOMES, WorkerProcess
from tests.factories import full_journey, write_jsonl

RETRY_SHARE = 0.05  # of the events sent, how many are a partner's retry of another


def replay_events(count: int, seed: int = 9) -> tuple[list[dict], int]:
    """``count`` events in partner JSON, shuffled, ``RETRY_SHARE`` of them retries; and how many are distinct."""
    distinct = round(count * (1 - RETRY_SHARE))
    # Journeys span up to ~2 years after their start, one worker per hour: start far enough back
    # that no event lies in the future (the stream dead-letters those).
    start = datetime.now(timezone.utc) - timedelta(hours=distinct, days=900)
    events: list[dict] = []
    worker = 0
    while len(events) < distinct:
        events.extend(full_journey(worker, start))
        worker += 1
    events = events[:distinct]
    rng = random.Random(seed)
    sent = events + rng.sample(events, count - distinct)
    rng.shuffle(sent)
    return sent, distinct


def run(count: int, settings: Settings, workdir: Path, progress: Progress) -> dict:
    sent, distinct = replay_events(count)
    asyncio.run(publish(settings, str(write_jsonl(workdir / "events.jsonl", sent))))

    worker = WorkerProcess(settings, workdir / "worker.log")
    started = time.monotonic()
    first = None  # when the worker had started: its first event accepted
    worker.start()
    # The pid, for a profiler: py-spy record --pid PID
    task = progress.add_task(f"worker {worker.pid}", total=count)
    try:
        while True:
            outcomes = worker.outcomes()
            done = sum(outcomes.get(outcome, 0) for outcome in FINAL_OUTCOMES)
            if first is None and outcomes.get("accepted"):
                first = time.monotonic()
            progress.update(task, completed=done)
            if done >= count:
                break
            if not worker.alive():
                raise RuntimeError(f"worker exited; see {worker.log_path}")
            time.sleep(0.5)  # each look renders the metrics page: a cost to the worker measured
        finished = time.monotonic()
        applied = outcomes.get("applied", 0)
        cpu_seconds = worker.sample("process_cpu_seconds_total")
    finally:
        worker.stop()
    if applied != distinct:  # an honest figure is a correct one: every distinct event applied once
        raise RuntimeError(f"{applied} events applied, expected {distinct}; see {worker.log_path}")
    seconds = finished - started
    first = first or finished
    return {
        "events": count,
        "seconds": round(seconds, 2),
        "events_per_s": round(count / seconds),
        "startup_seconds": round(first - started, 2),
        "steady_events_per_s": round(count / max(finished - first, 1e-9)),
        # CPU the worker process used, start-up included: the figure others' load on the machine
        # disturbs least (the broker and Redis run in their own processes).
        "worker_cpu_seconds": round(cpu_seconds, 2),
        "events_per_cpu_s": round(count / cpu_seconds),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="how many events to replay (default 10000)")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)

    settings, workdir = isolated_pipeline()
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=Console(stderr=True))
    try:
        with progress:
            result = run(args.events, settings, workdir, progress)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if not args.json:
        print(f"{result['events']} events in {result['seconds']} s: {result['events_per_s']} events/s "
              f"({result['startup_seconds']} s start-up, then {result['steady_events_per_s']} events/s)",
              file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
