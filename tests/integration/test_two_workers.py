"""Two worker processes share the partitions, and a retried batch still counts once."""
from __future__ import annotations

import asyncio
from collections import Counter

from domain.lifecycle import worker_id_for
from streams.codec import AvroCodec
from streams.publish import publish
from streams.topic_reader import latest_by_key
from streams.topics import TopicNames
from tests.factories import journeys, write_jsonl
from tests.waiting import eventually

WORKERS = 300


def test_two_workers_share_partitions_and_apply_each_event_once(make_settings, worker_pair, tmp_path):
    settings = make_settings()
    pair = worker_pair(settings)

    events = journeys(WORKERS)
    path = write_jsonl(tmp_path / "events.jsonl", events)
    asyncio.run(publish(settings, str(path)))
    asyncio.run(publish(settings, str(path)))  # a partner retrying the whole batch
    eventually(lambda: sum(p.processed() for p in pair), lambda done: done >= 2 * len(events), 180)

    assert all(p.counter("pantau_events", outcome="applied") > 0 for p in pair)  # the load is shared
    assert sum(p.counter("pantau_events", outcome="applied") for p in pair) == len(events)
    assert sum(p.counter("pantau_events", outcome="duplicate") for p in pair) == len(events)

    codec = AvroCodec.named("worker_state")
    raw = asyncio.run(latest_by_key(settings, TopicNames(settings.topic_prefix).worker_state))
    expected = Counter(f"NIK:{e['worker']['nik']}" for e in events)
    assert len(raw) == WORKERS
    for key, count in expected.items():
        assert codec.decode(raw[worker_id_for(key).encode()])["event_count"] == count
