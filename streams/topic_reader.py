"""Read a topic from its beginning to its current end, without a consumer group.

For ``pantau redis rebuild``, the tests and the scorer: a snapshot of what a topic holds now.
And for ``/healthz``: whether a range of offsets holds records at all (``RecordProbe``).
"""
from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping

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


class RecordProbe:
    """Tells apart offsets that hold records from offsets that only a transaction took.

    A transaction's commit or abort marker takes an offset, and so do aborted records, but a
    ``read_committed`` reader never receives them: under exactly_once a fully processed partition
    ends with a marker its consumer group never commits past. One long-lived consumer, no group.
    """

    def __init__(self, settings: Settings):
        self._bootstrap = settings.kafka_bootstrap
        self._consumer: AIOKafkaConsumer | None = None

    async def with_records(self, ranges: Mapping[TopicPartition, tuple[int, int]], timeout_ms: int = 1000) -> set:
        """Which partitions hold a record in their ``[start, end)`` range; a partition that could
        not be read through to ``end`` in time counts as holding one (lag is not explained away)."""
        consumer = await self._started()
        consumer.assign(list(ranges))
        for tp, (start, _) in ranges.items():
            consumer.seek(tp, start)
        found, unread = set(), dict(ranges)
        deadline = time.monotonic() + timeout_ms / 1000
        while unread and time.monotonic() < deadline:
            left_ms = max(1, int((deadline - time.monotonic()) * 1000))
            batch = await consumer.getmany(*unread, timeout_ms=left_ms)
            for tp, records in batch.items():
                if any(record.offset < unread[tp][1] for record in records):
                    found.add(tp)
                    del unread[tp]
            for tp in list(unread):
                # No record before end, and the position moved past the markers to end.
                if await consumer.position(tp) >= unread[tp][1]:
                    del unread[tp]
        return found | set(unread)

    async def _started(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap, enable_auto_commit=False, isolation_level="read_committed"
            )
            await consumer.start()
            self._consumer = consumer
        return self._consumer

    async def close(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
