"""Identity resolution in the stream (issue 6): embassy reports that carry only a passport are
each a worker of their own until a P3MI report links the passport to a NIK; then the two are
one worker under the NIK's id — the fold of all the person's events — and the passport-only
worker is merged away: a tombstone on the worker-state topic, a merge record on the
identity-audit topic, and its old id still finds the person in Redis and through the API.
"""
from __future__ import annotations

import asyncio
import json
import urllib.request
from collections import defaultdict

from aiokafka import AIOKafkaProducer

from domain.fold import fold
from domain.lifecycle import worker_id_for
from domain.partner_json import from_json
from streams.codec import AvroCodec
from streams.moves import forwarded_headers
from streams.publish import publish
from streams.state_view import read_projected
from streams.topic_reader import latest_by_key, read_to_end
from streams.topics import TopicNames
from tests.expected import served
from tests.factories import full_journey, write_jsonl
from tests.waiting import eventually

PEOPLE = 40


def without_alerts(state: dict) -> dict:
    return {**state, "open_alerts": []}


def passport_only(event: dict) -> dict:
    """An embassy report as embassies often send it: the passport and nothing else of the person."""
    return {**event, "worker": {"passport_no": event["worker"]["passport_no"]}}


def merged_folds(journeys: dict[int, list[dict]]) -> tuple[dict[str, dict], dict[bytes, dict | None]]:
    """Each person's NIK worker as the fold of all their events, and the worker-state topic that
    says so: those states, the passport-only workers tombstoned. (Open alerts depend on the
    watermark, which the alert tests check: left out here.)"""
    by_person = defaultdict(list)
    for events in journeys.values():
        by_person[worker_id_for(f"NIK:{events[0]['worker']['nik']}")] += [
            from_json(passport_only(e) if e["source"]["kind"] == "EMBASSY" else e) for e in events
        ]
    folds = {worker_id: fold(events, worker_id) for worker_id, events in by_person.items()}
    tombstones = {worker_id_for(f"PASSPORT:{events[0]['worker']['passport_no']}").encode(): None for events in journeys.values()}
    return folds, {w.encode(): without_alerts(state) for w, state in folds.items()} | tombstones


def read_states(settings) -> dict[bytes, dict | None]:
    codec = AvroCodec.named("worker_state")
    latest = asyncio.run(latest_by_key(settings, TopicNames(settings.topic_prefix).worker_state))
    return {key: value and without_alerts(codec.decode(value)) for key, value in latest.items()}


def split_journeys(journeys: dict[int, list[dict]]) -> tuple[list[dict], list[dict]]:
    """The embassies' reports with only the passport, and everyone else's."""
    embassy = [passport_only(e) for events in journeys.values() for e in events if e["source"]["kind"] == "EMBASSY"]
    others = [e for events in journeys.values() for e in events if e["source"]["kind"] != "EMBASSY"]
    return embassy, others


def test_passport_only_workers_merge_into_the_nik_worker_once_a_report_links_them(make_settings, workers, redis_client, tmp_path):
    settings = make_settings()
    topics = TopicNames(settings.topic_prefix)
    journeys = {i: full_journey(i) for i in range(PEOPLE)}
    embassy, others = split_journeys(journeys)
    process = workers(settings)

    asyncio.run(publish(settings, str(write_jsonl(tmp_path / "embassy.jsonl", embassy))))
    process.wait_processed(len(embassy), timeout=180)
    passport_ids = {i: worker_id_for(f"PASSPORT:{events[0]['worker']['passport_no']}") for i, events in journeys.items()}
    before = eventually(lambda: asyncio.run(latest_by_key(settings, topics.worker_state)), lambda s: len(s) == PEOPLE, 60)
    assert set(before) == {w.encode() for w in passport_ids.values()}  # not linked to anyone yet

    asyncio.run(publish(settings, str(write_jsonl(tmp_path / "p3mi.jsonl", others))))
    process.wait_processed(len(embassy) + len(others), timeout=180)

    folds, expected = merged_folds(journeys)

    def states():
        return read_states(settings)

    assert eventually(states, lambda s: s == expected, 90) == expected

    audit_codec = AvroCodec.named("identity_merge")

    async def merges():
        return [audit_codec.decode(record.value) async for record in read_to_end(settings, topics.identity_audit)]

    merged = {(m["worker_id"], tuple(m["merged"])) for m in asyncio.run(merges())}
    assert merged == {(worker_id_for(f"NIK:{journeys[i][0]['worker']['nik']}"), (old,)) for i, old in passport_ids.items()}

    # The old id still finds the person: in Redis (a pointer) and through the API (a redirect).
    for i, old in passport_ids.items():
        survivor = worker_id_for(f"NIK:{journeys[i][0]['worker']['nik']}")
        assert read_projected(settings, worker_id=old)["worker_id"] == survivor
        with urllib.request.urlopen(f"http://127.0.0.1:{settings.web_port}/api/workers/{old}", timeout=10) as response:
            assert without_alerts(json.loads(response.read())) == served(folds[survivor])
    # Each person counted once: the merged-away workers left every index set.
    counts = redis_client.hgetall(f"{settings.topic_prefix}:count:status")
    assert sum(int(n) for n in counts.values()) == PEOPLE

    # A merge of a merge: an event a first move forwarded to a worker that has since moved on as well
    # (the passport-only worker here) is forwarded again, headers and all, and folded at the end.
    late = {**embassy[0], "event_id": "forwarded-twice"}
    survivor = worker_id_for(f"NIK:{journeys[0][0]['worker']['nik']}")
    asyncio.run(_send_by_worker(settings, passport_ids[0], late, forwarded_headers()))
    assert eventually(states, lambda s: f"{late['source']['id']}:{late['event_id']}" in (s[survivor.encode()] or {}).get("event_ids", ()),
                      60)[passport_ids[0].encode()] is None
    assert process.alive() and "Crashed" not in process.log_path.read_text()


def test_merges_move_histories_between_two_worker_processes(make_settings, worker_pair, tmp_path):
    """The same merges with the partitions shared by two processes: a passport-only worker's
    history often lives in one process and its survivor's partition in the other."""
    settings = make_settings()
    journeys = {i: full_journey(i) for i in range(PEOPLE)}
    embassy, others = split_journeys(journeys)
    pair = worker_pair(settings)
    asyncio.run(publish(settings, str(write_jsonl(tmp_path / "embassy.jsonl", embassy))))
    eventually(lambda: sum(p.processed() for p in pair), lambda done: done >= len(embassy), 180)
    asyncio.run(publish(settings, str(write_jsonl(tmp_path / "p3mi.jsonl", others))))

    _, expected = merged_folds(journeys)
    assert eventually(lambda: read_states(settings), lambda s: s == expected, 180) == expected
    assert sum(p.counter("pantau_identity_merges") for p in pair) == PEOPLE

    def sent_and_received(process) -> tuple[int, int]:
        counts = process.merge_messages()
        return (sum(n for (_, side), n in counts.items() if side == "sent"),
                sum(n for (_, side), n in counts.items() if side == "received"))

    # Every merge message arrived, and some crossed from one process to the other.
    sides = eventually(lambda: [sent_and_received(p) for p in pair],
                       lambda sides: sum(sent for sent, _ in sides) == sum(received for _, received in sides), 30)
    assert sum(sent for sent, _ in sides) == sum(received for _, received in sides) > 0
    assert any(sent != received for sent, received in sides)
    assert all(p.alive() for p in pair)


async def _send_by_worker(settings, worker_id: str, event: dict, headers: list) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(TopicNames(settings.topic_prefix).by_worker,
                                     AvroCodec.named("partner_event").encode(from_json(event)), key=worker_id.encode(),
                                     headers=headers)
    finally:
        await producer.stop()
