"""A worker killed mid-stream and restarted loses nothing and counts nothing twice, under
either processing guarantee (issue 4, must-show 4; docs/processing-guarantees.md)."""
from __future__ import annotations

import asyncio
import json
import signal
import urllib.error
import urllib.request

import pytest

from streams.codec import AvroCodec
from streams.membership import remembered
from streams.publish import publish
from streams.topic_reader import latest_by_key
from streams.topics import TopicNames
from tests.expected import OWNED_PARTITIONS, expected_states, served
from tests.factories import journeys, write_jsonl
from tests.waiting import eventually

# Enough that a crash lands mid-stream: under exactly_once states become visible only at a commit
# (every few seconds), and a batching worker gets through a couple of thousand events by then.
WORKERS = 3000
STATES = AvroCodec.named("worker_state")


def states_on_topic(settings) -> dict[bytes, bytes]:
    """What a ``read_committed`` reader sees on the worker-state topic: the last state per worker."""
    return asyncio.run(latest_by_key(settings, TopicNames(settings.topic_prefix).worker_state))


def events_in(states: dict[bytes, bytes]) -> int:
    return sum(STATES.decode(value)["event_count"] for value in states.values())


@pytest.mark.parametrize("guarantee", ["at_least_once", "exactly_once"])
def test_kill_mid_stream_then_restart(guarantee, make_settings, workers, redis_client, tmp_path):
    settings = make_settings(processing_guarantee=guarantee)
    events = journeys(WORKERS)
    report = asyncio.run(publish(settings, str(write_jsonl(tmp_path / "events.jsonl", events))))
    assert report.sent == len(events)

    first = workers(settings)
    # Crash once some work is committed (visible on the state topic) and some is not.
    eventually(lambda: states_on_topic(settings), lambda s: len(s) > 0, 180, every=0.2)
    member = remembered(settings.state_dir)
    first.stop(signal.SIGKILL)  # no graceful commit, no flush, transactions left open
    assert 0 < events_in(states_on_topic(settings)) < len(events), "the crash was not mid-stream"

    restarted = workers(settings)  # on the same data dir: it resumes from the committed offsets
    folds = expected_states(events)
    expected = {worker_id.encode(): STATES.encode(state) for worker_id, state in folds.items()}
    states = eventually(lambda: states_on_topic(settings), lambda s: s == expected, 180)
    mismatched = [key.decode() for key in expected if states.get(key) != expected[key]]
    assert not mismatched, f"{len(mismatched)} of {WORKERS} workers differ from the fold, e.g. {mismatched[:3]}"
    assert len(states) == WORKERS

    for worker_id, state in folds.items():
        assert json.loads(redis_client.hget(f"{settings.topic_prefix}:worker:{worker_id}", "document")) == served(state)
    # Commits keep progressing after the crash: the group catches up with every partition it owns.
    # Generous: the alert channels trail the states (thousands of alerts, redone ones too, at a few
    # hundred a second on a loaded machine); a clean clone's run still had a lag of 654 after 60 s,
    # most likely theirs (the message names the lagging partitions if it happens again).
    health = eventually(lambda: healthz(restarted), lambda h: h["partitions"] == OWNED_PARTITIONS and h["lag"] == 0, 180)
    assert health["status"] == "ok" and health["partitions"] == OWNED_PARTITIONS and health["lag"] == 0, \
        json.dumps({"health": health, "lagging": {f"{topic}:{partition}": lag for (topic, partition), lag
                                                  in restarted.consumer_lag().items() if lag > 0}})
    # It rejoined as the member it was (streams.membership): a new one would have been remembered.
    assert member is not None and remembered(settings.state_dir) == member


def healthz(process) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{process.settings.web_port}/healthz", timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as unhealthy:  # 503 carries the same JSON
        return json.loads(unhealthy.read())
