"""Two workers on one pipeline; one is killed mid-stream and the other takes over its
partitions: every final state still equals the fold (issue 4, must-show 5)."""
from __future__ import annotations

import asyncio
import random
import signal

from streams.codec import AvroCodec
from streams.publish import publish
from streams.topic_reader import latest_by_key
from streams.topics import TopicNames
from tests.expected import OWNED_PARTITIONS, expected_states
from tests.factories import full_journey, write_jsonl
from tests.waiting import eventually

WORKERS = 600


def test_a_surviving_worker_takes_over_and_states_equal_the_fold(make_settings, worker_pair, tmp_path):
    settings = make_settings()
    survivor, doomed = worker_pair(settings, ("survivor", "doomed"))

    events = [event for i in range(WORKERS) for event in full_journey(i)]
    random.Random(9).shuffle(events)
    asyncio.run(publish(settings, str(write_jsonl(tmp_path / "events.jsonl", events))))

    eventually(doomed.processed, lambda done: done > 0, 120, every=0.1)
    doomed.stop(signal.SIGKILL)
    # The survivor is rebalanced onto every partition, then finishes the doomed one's share.
    eventually(lambda: survivor.sample("pantau_assigned_partitions"), lambda owned: owned == OWNED_PARTITIONS, 120)

    codec = AvroCodec.named("worker_state")
    expected = {worker_id.encode(): codec.encode(state) for worker_id, state in expected_states(events).items()}
    topic = TopicNames(settings.topic_prefix).worker_state
    states = eventually(lambda: asyncio.run(latest_by_key(settings, topic)), lambda s: s == expected, 240, every=2)
    assert len(states) == WORKERS
    wrong = [key for key in expected if states.get(key) != expected[key]]
    assert not wrong, f"{len(wrong)} of {WORKERS} workers differ from the fold (expected, found): {differing_fields(codec, expected, states, wrong[:3])}"


def differing_fields(codec, expected: dict, found: dict, keys: list) -> dict:
    """Which fields differ (events missing, alerts) says which stage lost what."""
    differing = {}
    for key in keys:
        want, got = codec.decode(expected[key]), codec.decode(found[key])
        differing[key] = {field: (value, got[field]) for field, value in want.items() if got[field] != value}
    return differing
