"""Bad input never stops the stream and is never lost (issue 3, must-show 2 and 3).

1,000 events, about 11% broken in each way the ingest catches: every valid event reaches the
state once, every broken one lands whole on the dead-letter topic with its reason, the
counters agree, and the worker never restarts. Publishing the same 1,000 again changes nothing.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime

from aiokafka import AIOKafkaProducer

from domain.partner_json import from_json
from streams.admin import ensure_topics
from streams.codec import AvroCodec
from streams.topic_reader import latest_by_key, read_to_end
from streams.topics import TopicNames
from tests.factories import WIB, departed, journeys, make_worker
from simulator.malformed import CODEC, MALFORMATIONS
from tests.waiting import eventually, settled

VALID_WORKERS = 444  # 888 valid events
PER_WAY = 4  # 28 ways × 4 = 112 broken events


def build_messages() -> tuple[list[tuple[str, bytes]], Counter]:
    messages = [(e["source"]["kind"], CODEC.encode(from_json(e))) for e in journeys(VALID_WORKERS)]
    expected = Counter()
    for w, reason in enumerate(sorted(MALFORMATIONS)):
        for i in range(PER_WAY):
            worker = make_worker(10_000 + w * PER_WAY + i)
            event = from_json(departed(worker, datetime(2026, 2, 1, 9, tzinfo=WIB)))
            messages.append(MALFORMATIONS[reason](event))
            expected[reason] += 1
    return messages, expected


async def produce(settings, messages) -> None:
    await ensure_topics(settings)
    topics = TopicNames(settings.topic_prefix)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, max_request_size=2**20)
    await producer.start()
    try:
        for kind, value in messages:
            await producer.send(topics.ingest(kind), value)
        await producer.flush()
    finally:
        await producer.stop()


def dead_letters(settings) -> list[dict]:
    async def read():
        codec = AvroCodec.named("dead_letter")
        return [codec.decode(r.value) async for r in read_to_end(settings, TopicNames(settings.topic_prefix).dead_letter)]

    return asyncio.run(read())


def states(settings) -> dict[bytes, dict]:
    codec = AvroCodec.named("worker_state")
    raw = asyncio.run(latest_by_key(settings, TopicNames(settings.topic_prefix).worker_state))
    return {key: codec.decode(value) for key, value in raw.items()}


def test_bad_input_goes_to_dead_letters_whole_and_retries_change_nothing(make_settings, workers):
    settings = make_settings()
    messages, expected = build_messages()
    assert len(messages) == 1000 and sum(expected.values()) == 112
    asyncio.run(produce(settings, messages))

    worker = workers(settings)
    worker.wait_processed(len(messages), timeout=240)
    letters = eventually(lambda: dead_letters(settings), lambda d: len(d) >= 112)

    assert Counter(d["reason"] for d in letters) == expected
    sent_broken = {value for _, value in messages[2 * VALID_WORKERS:]}
    assert {d["original"] for d in letters} == sent_broken  # kept whole, byte for byte
    assert all(d["message"] and d["topic"].startswith(settings.topic_prefix + ".ingest.") for d in letters)
    assert len({(d["topic"], d["partition"], d["offset"]) for d in letters}) == 112

    # Settled: a departure's placement deadline the watermark has passed fires on the next sweep.
    first = settled(lambda: states(settings), lambda s: sum(x["event_count"] for x in s.values()) >= 888)
    assert len(first) == VALID_WORKERS
    assert all(s["event_count"] == 2 and s["status"] == "DEPARTED" for s in first.values())

    for reason, count in expected.items():
        assert worker.counter("pantau_dead_letters", reason=reason) == count
    assert worker.counter("pantau_events", outcome="dead_letter") == 112
    assert worker.counter("pantau_events", outcome="applied") == 888

    # The same 1,000 again, as a partner retrying a whole batch would.
    asyncio.run(produce(settings, messages))
    worker.wait_processed(2 * len(messages), timeout=240)
    assert worker.counter("pantau_events", outcome="duplicate") == 888
    assert worker.counter("pantau_events", outcome="applied") == 888
    assert states(settings) == first

    assert worker.alive()
    log = worker.log_path.read_text()
    assert "Crashed" not in log and "Restarting dead" not in log
