"""The streamed state equals the pure fold (issue 4, must-show 2).

1,000 workers' journeys, shuffled, with 5% duplicates: for every worker, the state on the
compacted worker-state topic is exactly ``fold`` of that worker's events, byte for byte, and
the Redis projection and the API serve that fold's document.
"""
from __future__ import annotations

import asyncio
import json
import random
import urllib.request

from streams.codec import AvroCodec
from streams.publish import publish
from streams.topic_reader import latest_by_key
from streams.topics import TopicNames
from tests.expected import expected_states, served
from tests.factories import full_journey, write_jsonl
from tests.waiting import eventually

WORKERS = 1000


def test_streamed_state_is_the_fold_of_each_workers_events(make_settings, workers, redis_client, tmp_path):
    settings = make_settings()
    events = [event for i in range(WORKERS) for event in full_journey(i)]
    rng = random.Random(4)
    sent = events + rng.sample(events, len(events) // 20)  # partner retries
    rng.shuffle(sent)
    asyncio.run(publish(settings, str(write_jsonl(tmp_path / "events.jsonl", sent))))

    process = workers(settings)
    process.wait_processed(len(sent), timeout=300)

    folds = expected_states(sent)
    codec = AvroCodec.named("worker_state")
    expected = {worker_id.encode(): codec.encode(state) for worker_id, state in folds.items()}

    topic = TopicNames(settings.topic_prefix).worker_state
    states = eventually(lambda: asyncio.run(latest_by_key(settings, topic)), lambda s: s == expected, 60)
    assert len(states) == WORKERS
    mismatched = [key.decode() for key in expected if states.get(key) != expected[key]]
    assert not mismatched, f"{len(mismatched)} workers differ from the fold, e.g. {mismatched[:3]}"
    assert process.counter("pantau_events", outcome="duplicate") == len(sent) - len(events)

    for worker_id, state in folds.items():
        assert json.loads(redis_client.hget(f"{settings.topic_prefix}:worker:{worker_id}", "document")) == served(state)
        url = f"http://127.0.0.1:{settings.web_port}/api/workers/{worker_id}"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert json.loads(response.read()) == served(state)
