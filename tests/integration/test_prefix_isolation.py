"""Two pipelines with different PANTAU_TOPIC_PREFIX on one broker and one Redis stay apart."""
from __future__ import annotations

import asyncio

from domain.lifecycle import worker_id_for
from streams.publish import publish
from streams.topic_reader import latest_by_key
from streams.topics import TopicNames
from tests.factories import journeys, write_jsonl
from tests.waiting import eventually


def test_pipelines_with_different_prefixes_do_not_see_each_other(make_settings, workers, redis_client, tmp_path):
    blue, green = make_settings("-blue"), make_settings("-green")
    blue_events, green_events = journeys(3), journeys(10)[6:]  # workers 0-2 and 3-4: disjoint
    asyncio.run(publish(blue, str(write_jsonl(tmp_path / "blue.jsonl", blue_events))))
    asyncio.run(publish(green, str(write_jsonl(tmp_path / "green.jsonl", green_events))))

    blue_worker, green_worker = workers(blue, "blue"), workers(green, "green")
    blue_worker.wait_processed(len(blue_events))
    green_worker.wait_processed(len(green_events))

    for settings, events in ((blue, blue_events), (green, green_events)):
        own = {worker_id_for(f"NIK:{e['worker']['nik']}") for e in events}
        topic = TopicNames(settings.topic_prefix).worker_state
        states = eventually(lambda: asyncio.run(latest_by_key(settings, topic)), lambda s: len(s) >= len(own))
        assert {key.decode() for key in states} == own
        keys = redis_client.keys(f"{settings.topic_prefix}:worker:*")
        assert {key.rsplit(":", 1)[1] for key in keys} == own
    # Each worker processed exactly its own pipeline's events, nothing of the other's.
    assert blue_worker.processed() == len(blue_events)
    assert green_worker.processed() == len(green_events)
