"""The ceiling: the fastest Python could read the ingest topics — a Kafka client's batch read and
the pipeline's own Avro decoder on every record, nothing else (no validation, state or output).

Two clients, for the two transports faust-streaming has: aiokafka ``getmany`` (the one pantau
runs on) and confluent-kafka ``consume`` (librdkafka, faust's ``confluent://`` driver)."""
from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.codec import AvroCodec
from streams.settings import Settings
from streams.topic_reader import partitions_of
from streams.topics import TopicNames

CODEC = AvroCodec.named("partner_event")
BATCH = 10_000


async def read_all(settings: Settings, expected: int) -> dict:
    """Reads every ingest topic from its beginning to its end offsets as they are now with aiokafka,
    decoding each record; fails unless it read ``expected`` records. Timed from the consumer's start."""
    partitions = [TopicPartition(topic, p) for topic, p in await _ingest_partitions(settings)]
    started, cpu_started = time.monotonic(), time.process_time()
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False,
                                max_partition_fetch_bytes=4 * 2**20, fetch_max_bytes=16 * 2**20)
    await consumer.start()
    decoded = 0
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=500, max_records=BATCH)
            for tp, records in batch.items():
                for record in records:
                    CODEC.decode(record.value)
                decoded += len(records)
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return _figures(decoded, expected, started, cpu_started)


async def read_all_confluent(settings: Settings, expected: int) -> dict:
    """The same read with confluent-kafka, in a thread (its calls block). Timed the same way."""
    partitions = await _ingest_partitions(settings)
    started, cpu_started = time.monotonic(), time.process_time()
    decoded = await asyncio.to_thread(_confluent_read, settings, partitions)
    return _figures(decoded, expected, started, cpu_started)


def _confluent_read(settings: Settings, partitions: list[tuple[str, int]]) -> int:
    # Imported here: confluent-kafka is a bench extra, and only this scenario needs it.
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException
    from confluent_kafka import TopicPartition as ConfluentPartition

    consumer = Consumer({"bootstrap.servers": settings.kafka_bootstrap, "group.id": f"{settings.topic_prefix}-ceiling",
                         "enable.auto.commit": False, "max.partition.fetch.bytes": 4 * 2**20,
                         "fetch.max.bytes": 16 * 2**20})
    decoded = 0
    try:
        total = sum(high - low for low, high in (consumer.get_watermark_offsets(ConfluentPartition(t, p)) for t, p in partitions))
        consumer.assign([ConfluentPartition(topic, p, OFFSET_BEGINNING) for topic, p in partitions])
        while decoded < total:
            for message in consumer.consume(num_messages=BATCH, timeout=0.5):
                if message.error() is not None:
                    raise KafkaException(message.error())
                CODEC.decode(message.value())
                decoded += 1
    finally:
        consumer.close()
    return decoded


async def _ingest_partitions(settings: Settings) -> list[tuple[str, int]]:
    return [(topic, p) for topic in TopicNames(settings.topic_prefix).all_ingest for p in await partitions_of(settings, topic)]


def _figures(decoded: int, expected: int, started: float, cpu_started: float) -> dict:
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu_started
    if decoded != expected:
        raise RuntimeError(f"the ceiling read {decoded} records, expected {expected}")
    return {"events": decoded, "seconds": round(seconds, 3), "events_per_s": round(decoded / seconds),
            "cpu_seconds": round(cpu, 2), "events_per_cpu_s": round(decoded / cpu)}
