"""Read a topic from its beginning to its current end, without a consumer group.

For ``pantau redis rebuild``, the tests and the scorer: a snapshot of what a topic holds now.
"""
from __future__ import annotations

from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from streams.settings import Settings


async def read_to_end(settings: Settings, topic: str, timeout_ms: int = 1000) -> AsyncIterator:
    """Yields every record of ``topic`` up to the end offsets it had when called."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in await partitions_of(settings, topic)]
        if not partitions:
            return
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=timeout_ms)
            for tp, records in batch.items():
                for record in records:
                    if record.offset < ends[tp]:
                        yield record
            # Under transactions the end offset may be a commit marker no record reaches: use position.
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()


async def partitions_of(settings: Settings, topic: str) -> list[int]:
    """The topic's partition numbers; empty when it does not exist."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        # Asking for metadata of a missing topic would auto-create it: look before asking.
        if topic not in await admin.list_topics():
            return []
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(p["partition"] for p in described["partitions"])


async def latest_by_key(settings: Settings, topic: str) -> dict[bytes, bytes]:
    """The last value per key: what a compacted topic means."""
    latest: dict[bytes, bytes] = {}
    async for record in read_to_end(settings, topic):
        latest[record.key] = record.value
    return latest
