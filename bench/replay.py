"""Replay throughput: how fast one ``pantau worker`` takes a backlog through the whole pipeline,
beside the ceiling and the Quix Streams peer on the same preloaded events.

Preloads N partner events (full journeys of synthetic workers, shuffled, with partner retries)
onto the ingest topics of a fresh ``PANTAU_TOPIC_PREFIX``. Then, one after the other on those
same records: the ceilings (``bench.ceiling``: consume and decode only, with aiokafka and with
confluent-kafka), the peer
(``bench.peer``: validate, per-worker fold, state topic, in Quix Streams) and pantau: one worker
process timed from its start until its metrics count every event finished (applied, duplicate or
dead letter: each has been through ingest, identity, the by-worker topic, the table, the rules,
the state topic and Redis). The clocks include start-up; ``steady_events_per_s`` leaves it out.

    pantau bench replay --events 20000 --guarantee at_least_once --json
    python -m bench.replay --events 20000      # the same

prints one JSON line: events, seconds, events_per_s, startup_seconds, steady_events_per_s,
worker_cpu_seconds, events_per_cpu_s, peak_rss_mib, and unless --pantau-only the ceilings' and
the peer's figures with pantau_over_peer and pantau_over_ceiling (events/s over events/s; the
same over CPU seconds as *_cpu).
"""
from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rich.progress import Progress

from bench import proc
from bench.ceiling import read_all, read_all_confluent
from bench.peer import run_peer
from streams.publish import publish
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


def preload(settings: Settings, workdir: Path, events: list[dict]) -> None:
    asyncio.run(publish(settings, str(write_jsonl(workdir / "events.jsonl", events))))


def time_pantau(settings: Settings | list[Settings], workdir: Path, count: int, distinct: int,
                progress: Progress) -> dict:
    """Worker processes (one per settings given; each needs its own data dir and web port) from their
    start until together they have finished ``count`` events; fails unless exactly the ``distinct``
    events were applied. CPU seconds are summed over the processes, peak RSS is the largest."""
    workers = [WorkerProcess(each, workdir / f"worker-{n}.log")
               for n, each in enumerate(settings if isinstance(settings, list) else [settings])]
    started = time.monotonic()
    first = None  # when the workers had started: the first event accepted
    for worker in workers:
        worker.start()
    # The pids in the description, for a profiler: py-spy record --pid PID
    task = progress.add_task("pantau " + " ".join(str(w.pid) for w in workers), total=count)
    try:
        while True:
            outcomes = Counter()
            for worker in workers:
                outcomes.update(worker.outcomes())
            done = sum(outcomes[outcome] for outcome in FINAL_OUTCOMES)
            if first is None and outcomes["accepted"]:
                first = time.monotonic()
            progress.update(task, completed=done)
            # Both: with two processes a partition that moves before its offsets are committed is
            # delivered again, and its events count again as duplicates before all are applied.
            if done >= count and outcomes["applied"] >= distinct:
                break
            for worker in workers:
                if not worker.alive():
                    raise RuntimeError(f"worker exited; see {worker.log_path}")
            time.sleep(0.5)  # each look renders the metrics page: a cost to the worker measured
        finished = time.monotonic()
        cpu_seconds = sum(worker.sample("process_cpu_seconds_total") for worker in workers)
        rss = max(proc.peak_rss_bytes(worker.pid) for worker in workers)
    finally:
        for worker in workers:
            worker.stop()
    if outcomes["applied"] != distinct:  # an honest figure is a correct one: every distinct event applied once
        raise RuntimeError(f"{outcomes['applied']} events applied, expected {distinct}; see {workdir}/worker-*.log")
    seconds = finished - started
    first = first or finished
    return {
        "events": count,
        "seconds": round(seconds, 2),
        "events_per_s": round(count / seconds),
        "startup_seconds": round(first - started, 2),
        "steady_events_per_s": round(count / max(finished - first, 1e-9)),
        # CPU the worker processes used, start-up included: the figure others' load on the machine
        # disturbs least (the broker and Redis run in their own processes).
        "worker_cpu_seconds": round(cpu_seconds, 2),
        "events_per_cpu_s": round(count / cpu_seconds),
        "peak_rss_mib": round(rss / 2**20),
    }


def ratios(pantau: dict, other: dict, name: str) -> dict:
    """pantau over ``other``: in events per second, and in events per CPU second."""
    return {f"pantau_over_{name}": round(pantau["events_per_s"] / other["events_per_s"], 4),
            f"pantau_over_{name}_cpu": round(pantau["events_per_cpu_s"] / other["events_per_cpu_s"], 4)}


def scenario(settings: Settings, workdir: Path, progress: Progress, events: int, guarantee: str,
             pantau_only: bool) -> dict:
    settings = replace(settings, processing_guarantee=guarantee)
    sent, distinct = replay_events(events)
    preload(settings, workdir, sent)
    result = {"guarantee": guarantee}
    if not pantau_only:
        ceiling = asyncio.run(read_all(settings, events))
        ceiling_confluent = asyncio.run(read_all_confluent(settings, events))
        peer = asyncio.run(run_peer(settings, workdir, events, guarantee, progress))
    result |= time_pantau(settings, workdir, events, distinct, progress)
    if not pantau_only:
        result |= {"ceiling": ceiling, "ceiling_confluent": ceiling_confluent, "peer": peer,
                   **ratios(result, peer, "peer"), **ratios(result, ceiling, "ceiling")}
    return result


if __name__ == "__main__":
    import sys

    from streams.cli import main

    sys.exit(main(["bench", "replay", *sys.argv[1:]]))
