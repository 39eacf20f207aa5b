"""The Redis projection: index sets and counts that follow each worker, and ``pantau redis
rebuild`` giving exactly the live projection from the worker-state topic (issue 4, must-show 3)."""
from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter

from domain.fold import fold
from domain.projection import INDEXES, project
from domain.state_document import to_document
from streams.codec import AvroCodec
from streams.projection import RedisProjection
from streams.publish import publish
from streams.state_view import show_state
from streams.topic_reader import latest_by_key
from streams.topics import TopicNames
from tests.examples import DESIGN_WORKER, example_event
from tests.factories import full_journey, make_worker, write_jsonl
from tests.waiting import eventually

WORKERS = 400


def snapshot(client, prefix: str) -> dict[str, object]:
    """Every key of the prefix with its value, whatever its type — but the alerts' stream, the log
    of what was announced live, which a rebuild leaves as it is (docs/alerts.md, "Channels")."""
    readers = {"hash": client.hgetall, "set": client.smembers, "string": client.get}
    keys = client.scan_iter(match=f"{prefix}:*", count=1000)
    return {key: readers[kind](key) for key in keys if (kind := client.type(key)) != "stream"}


def counts_and_sets(dump: dict[str, object], prefix: str) -> tuple[dict, dict]:
    """(index → {value: count}) from the count hashes, and the same from the index sets' sizes."""
    counts = {index: {v: int(n) for v, n in dump.get(f"{prefix}:count:{index}", {}).items()} for index in INDEXES}
    sizes = {index: {} for index in INDEXES}
    for key, members in dump.items():
        if key.startswith(f"{prefix}:idx:"):
            index, value = key.removeprefix(f"{prefix}:idx:").split(":")
            sizes[index][value] = len(members)
    return counts, sizes


def write(settings, *states: dict) -> None:
    async def run():
        projection = RedisProjection(settings)
        try:
            for state in states:
                await projection.write(state)
        finally:
            await projection.close()

    asyncio.run(run())


def test_a_worker_moves_between_sets_and_counts_never_drift(make_settings, redis_client, capsys):
    settings = make_settings()
    prefix = settings.topic_prefix
    departed = fold([example_event("DEPARTED")], "W-1")
    placed = fold([example_event("DEPARTED"), {**example_event("PLACED"), "event_id": "placed-1"}], "W-1")
    other = fold([example_event("REGISTERED")], "W-2")

    write(settings, departed, other, placed, placed)  # the second `placed`: a replay
    write(settings, departed)  # fewer events: an older state, from a stale writer
    assert redis_client.smembers(f"{prefix}:idx:status:PLACED") == {"W-1"}
    assert not redis_client.exists(f"{prefix}:idx:status:DEPARTED")
    assert redis_client.hgetall(f"{prefix}:count:status") == {"PLACED": "1", "REGISTERED": "1"}
    assert redis_client.hgetall(f"{prefix}:count:country") == {"MY": "1", "TW": "1"}
    assert redis_client.hgetall(f"{prefix}:worker:W-1") == project(placed).fields

    # `pantau state` renders from Redis alone: the document, and a panel with the episodes.
    show_state(settings, worker_id="W-1", as_json=True)
    assert json.loads(capsys.readouterr().out) == to_document(placed)
    show_state(settings, nik=DESIGN_WORKER["nik"])
    assert "episodes" in capsys.readouterr().out


def test_rebuild_gives_exactly_the_live_projection(make_settings, workers, redis_client, tmp_path):
    settings = make_settings()
    prefix = settings.topic_prefix
    # Shuffled journeys with retries: workers pass through statuses and countries in any order.
    events = [event for i in range(WORKERS) for event in full_journey(i)]
    rng = random.Random(3)
    sent = events + rng.sample(events, len(events) // 20)
    rng.shuffle(sent)
    asyncio.run(publish(settings, str(write_jsonl(tmp_path / "events.jsonl", sent))))
    process = workers(settings)
    process.wait_processed(len(sent), timeout=300)
    # Every topic consumed, the alerts' too (their Redis side is part of the projection), and
    # nothing more arriving for a few seconds (the rules' sweep may still publish).
    def lag_twice():
        first = process.sample("pantau_consumer_lag")
        time.sleep(2)
        return first, process.sample("pantau_consumer_lag")

    eventually(lag_twice, lambda lags: lags == (0, 0), 120)
    process.stop()  # the rebuild needs no worker

    codec = AvroCodec.named("worker_state")
    topic = TopicNames(settings.topic_prefix).worker_state
    raw = eventually(lambda: asyncio.run(latest_by_key(settings, topic)), lambda s: len(s) == WORKERS)
    states = [codec.decode(value) for value in raw.values()]
    live = snapshot(redis_client, prefix)

    # The live projection is the projection of the states on the topic, its counts its sets' sizes.
    for state in states:
        assert live[f"{prefix}:worker:{state['worker_id']}"] == project(state).fields
    counts, sizes = counts_and_sets(live, prefix)
    assert counts == sizes
    expected = {index: Counter() for index in INDEXES}
    for state in states:
        for index, value in project(state).memberships.items():
            expected[index][value] += 1
    assert counts == expected
    assert {"PLACED", "RETURNED", "DEPARTED"} <= set(counts["status"]) and {"MY", "TW"} <= set(counts["country"])

    text = repr(live)  # keys and values, every worker's document included
    for person in map(make_worker, range(WORKERS)):
        for secret in (person["nik"], person["passport_no"], person["full_name"]):
            assert secret not in text

    redis_client.unlink(*live)
    assert not snapshot(redis_client, prefix)
    env = {**os.environ, "PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
           "PANTAU_REDIS_URL": settings.redis_url, "PANTAU_TOPIC_PREFIX": prefix}
    done = subprocess.run([sys.executable, "-m", "streams.cli", "redis", "rebuild"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{WORKERS} workers" in done.stdout

    assert snapshot(redis_client, prefix) == live

