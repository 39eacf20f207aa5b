"""The thin slice end to end: a DEPARTED event on the P3MI ingest topic → state topic → Redis."""
from __future__ import annotations

import asyncio
from datetime import datetime

from aiokafka import AIOKafkaProducer

from domain.lifecycle import worker_id_for
from domain.partner_json import from_json
from streams.admin import ensure_topics
from streams.codec import AvroCodec
from streams.topic_reader import latest_by_key
from streams.topics import TopicNames
from tests.factories import WIB, departed, make_worker
from tests.waiting import eventually


async def produce(settings, topic: str, values: list[bytes]) -> None:
    await ensure_topics(settings)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for value in values:
            await producer.send(topic, value)
        await producer.flush()
    finally:
        await producer.stop()


def test_departed_event_reaches_state_topic_and_redis(make_settings, workers, redis_client):
    settings = make_settings()
    worker = make_worker(1)
    event = departed(worker, datetime(2026, 3, 1, 8, tzinfo=WIB))
    codec = AvroCodec.named("partner_event")
    asyncio.run(produce(settings, TopicNames(settings.topic_prefix).ingest("P3MI"), [codec.encode(from_json(event))]))

    process = workers(settings)
    process.wait_processed(1)

    worker_id = worker_id_for(f"NIK:{worker['nik']}")
    topic = TopicNames(settings.topic_prefix).worker_state
    # Visible to read_committed readers once the worker commits its transaction.
    states = eventually(lambda: asyncio.run(latest_by_key(settings, topic)), lambda s: worker_id.encode() in s)
    state = AvroCodec.named("worker_state").decode(states[worker_id.encode()])
    assert state["status"] == "DEPARTED"
    assert state["identifiers"]["niks"] == [worker["nik"]]
    assert state["event_count"] == 1

    projected = redis_client.hgetall(f"{settings.topic_prefix}:worker:{worker_id}")
    assert projected["status"] == "DEPARTED"
    assert projected["niks"] == "…" + worker["nik"][-4:]  # masked: never the full NIK
    assert worker["nik"] not in str(projected)
    assert process.counter("pantau_events", outcome="applied") == 1
