"""The ceiling: the fastest Python could read the ingest topics — aiokafka ``getmany`` and the
pipeline's own Avro decoder on every record, nothing else (no validation, state or output)."""
from __future__ import annotations

import time

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.codec import AvroCodec
from streams.settings import Settings
from streams.topic_reader import partitions_of
from streams.topics import TopicNames


async def read_all(settings: Settings, expected: int) -> dict:
    """Reads every ingest topic from its beginning to its end offsets as they are now, decoding each
    record; fails unless it read ``expected`` records. Timed from the consumer's start."""
    codec = AvroCodec.named("partner_event")
    topics = TopicNames(settings.topic_prefix).all_ingest
    partitions = [TopicPartition(topic, p) for topic in topics for p in await partitions_of(settings, topic)]
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
            batch = await consumer.getmany(*remaining, timeout_ms=500, max_records=10_000)
            for tp, records in batch.items():
                for record in records:
                    codec.decode(record.value)
                decoded += len(records)
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu_started
    if decoded != expected:
        raise RuntimeError(f"the ceiling read {decoded} records, expected {expected}")
    return {"events": decoded, "seconds": round(seconds, 3), "events_per_s": round(decoded / seconds),
            "cpu_seconds": round(cpu, 2), "events_per_cpu_s": round(decoded / cpu)}
