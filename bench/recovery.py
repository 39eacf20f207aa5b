"""Recovery: a worker holding K workers' state is SIGKILLed; how long until it processes a new
event again — restarted on its own data dir (the RocksDB stores), then, killed again, on an empty
one (every table restored from its changelog topic) — and is the final state still the fold?

The K workers are seen once each (``bench.population``). After each kill one new worker's event
is published and the worker started again; "processes again" is that event's state reaching
Redis. The clock starts at the new process's start; ``since_kill`` adds the publish in between.
A worker killed without leaving the consumer group keeps its partitions until the broker's
session timeout (10 s, ``streams.app``) has passed: that wait is part of the recovery measured.
Last, every worker's record on the worker-state topic is compared with ``domain.fold.fold`` of
its events (and the open alerts the rules give them, ``tests.expected.expected_states``).
"""
from __future__ import annotations

import asyncio
import shutil
import signal
import time
from dataclasses import replace
from pathlib import Path

import redis
from rich.progress import Progress

from bench import proc
from bench.population import new_workers, publish_first_events
from domain.lifecycle import worker_id_for, worker_key
from domain.partner_json import from_json
from streams.admin import ensure_topics
from streams.codec import AvroCodec
from streams.settings import Settings
from streams.topic_reader import latest_by_key
from streams.topics import TopicNames
from streams.worker_process import WorkerProcess
from tests.expected import OWNED_PARTITIONS, expected_states
from tests.waiting import eventually

RESTART_TIMEOUT = 600.0
# Before the first kill: longer than faust's commit interval (2.8 s), so the loaded events' offsets
# are committed and the restart measures restoring, not processing the load again.
COMMITTED_AFTER = 5.0


def load(settings: Settings, workdir: Path, workers: list[dict], progress: Progress) -> tuple[WorkerProcess, list[dict], dict]:
    """A running worker once it has processed one event for each of ``workers``; the events; the load's figures."""
    asyncio.run(ensure_topics(settings))
    worker = WorkerProcess(settings, workdir / "worker-load.log").start()
    eventually(lambda: worker.sample("pantau_assigned_partitions"), lambda n: n == OWNED_PARTITIONS, 120)
    startup_rss = proc.rss_bytes(worker.pid)
    events = asyncio.run(publish_first_events(settings, workdir / "load.jsonl", workers))
    task = progress.add_task(f"loading {len(workers)} workers", total=len(workers))
    started = time.monotonic()
    worker.wait_processed(len(workers), timeout=300, on_progress=lambda done: progress.update(task, completed=done))
    seconds = time.monotonic() - started
    return worker, events, {"load_seconds": round(seconds, 1), "load_events_per_s": round(len(workers) / seconds),
                            "startup_rss_mib": round(startup_rss / 2**20),
                            "peak_rss_mib": round(proc.peak_rss_bytes(worker.pid) / 2**20)}


def restart(settings: Settings, workdir: Path, killed: WorkerProcess, newcomer: dict, n: int, wipe: bool,
            progress: Progress) -> tuple[WorkerProcess, dict, dict]:
    """SIGKILLs ``killed``, empties the data dir with ``wipe``, publishes ``newcomer``'s event and
    starts a worker; returns it once that event's state is in Redis, the event, and the timings."""
    killed.stop(signal.SIGKILL)
    killed_at = time.monotonic()
    if wipe:
        shutil.rmtree(settings.state_dir)
    label = "empty" if wipe else "local"
    (event,) = asyncio.run(publish_first_events(settings, workdir / f"{label}.jsonl", [newcomer], start=n))
    key = settings.redis_key("worker", worker_id_for(worker_key(from_json(event))))
    client = redis.Redis.from_url(settings.redis_url)
    worker = WorkerProcess(settings, workdir / f"worker-{label}.log")
    started = time.monotonic()
    worker.start()
    task = progress.add_task(f"restart from {'an empty data dir' if wipe else 'the local store'}", total=None)
    try:
        while not client.exists(key):
            if not worker.alive():
                raise RuntimeError(f"the restarted worker exited; see {worker.log_path}")
            if time.monotonic() - started > RESTART_TIMEOUT:
                raise TimeoutError(f"no state for the new event {RESTART_TIMEOUT:.0f} s after the restart; see {worker.log_path}")
            progress.update(task)
            time.sleep(0.05)
        arrived = time.monotonic()
    finally:
        client.close()
    progress.update(task, total=1, completed=1)
    # Events the lifecycle finished again before the new one: what the killed process had done but
    # not committed. A redelivered ingest event reaches the lifecycle as one more copy, so an event
    # may count more than once.
    return worker, event, {"seconds": round(arrived - started, 2), "since_kill": round(arrived - killed_at, 2),
                           "redelivered": max(0, worker.processed() - 1)}


def differing(settings: Settings, events: list[dict]) -> int:
    """How many workers' last record on the worker-state topic is not the fold of their events
    (absent or extra ones included); waits up to two minutes for it to reach 0."""
    codec = AvroCodec.named("worker_state")
    expected = {worker_id.encode(): codec.encode(state) for worker_id, state in expected_states(events).items()}
    topic = TopicNames(settings.topic_prefix).worker_state
    states = eventually(lambda: asyncio.run(latest_by_key(settings, topic)), lambda found: found == expected, 120, every=2)
    return sum(1 for key in expected.keys() | states.keys() if states.get(key) != expected.get(key))


def scenario(settings: Settings, workdir: Path, progress: Progress, workers: int, guarantee: str) -> dict:
    settings = replace(settings, processing_guarantee=guarantee)
    population = new_workers(workers + 2)
    worker, events, loaded = load(settings, workdir, population[:workers], progress)
    time.sleep(COMMITTED_AFTER)
    try:
        worker, local_event, local = restart(settings, workdir, worker, population[workers], workers, False, progress)
        worker, empty_event, empty = restart(settings, workdir, worker, population[workers + 1], workers + 1, True, progress)
        worker.wait_processed(1, timeout=120)  # settled: the final comparison reads what it wrote
        wrong = differing(settings, [*events, local_event, empty_event])
    finally:
        worker.stop()
    return {"guarantee": guarantee, "workers": workers, **loaded, "local": local, "empty": empty, "equals_fold": wrong == 0, "differing": wrong}
