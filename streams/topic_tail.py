"""Follow topics whole, from their beginning, in every worker process: a global view.

Reference data and the partitions' watermarks are needed by every worker process, whatever
partitions it owns. Each process reads every partition of these small compacted topics with its
own consumer (no group, no commits: it always starts from the beginning) and hands each record to
a callback. ``caught_up`` is set once it has read up to the ends the topics had when it started,
so nothing is evaluated against a view older than what was there before the process came up.

(Faust's GlobalTable does the same through its partition assignor, which warns of recovery loops
with several instances; a plain consumer stays out of the group protocol altogether.)
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from streams.settings import Settings
from streams.topic_reader import partitions_of

log = logging.getLogger(__name__)
# A topic not there yet (faust creates changelog topics as it starts) is looked for again this often.
RETRY_SECONDS = 1.0


class TopicTail:
    def __init__(self, settings: Settings, topics: Sequence[str], on_record: Callable[[ConsumerRecord], Awaitable[None]]):
        self._settings = settings
        self._topics = list(topics)
        self._on_record = on_record
        self.caught_up = asyncio.Event()

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.kafka_bootstrap, enable_auto_commit=False, isolation_level="read_committed"
        )
        await consumer.start()
        try:
            partitions = await self._partitions()
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            behind = {tp for tp in partitions if ends[tp] > 0}
            if not behind:
                self.caught_up.set()
            while True:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        await self._on_record(record)
                for tp in list(behind):
                    # Under transactions the end may be a commit marker no record reaches: use the position.
                    if await consumer.position(tp) >= ends[tp]:
                        behind.discard(tp)
                        if not behind:
                            self.caught_up.set()
        finally:
            await consumer.stop()

    async def _partitions(self) -> list[TopicPartition]:
        while True:
            found = {topic: await partitions_of(self._settings, topic) for topic in self._topics}
            if all(found.values()):
                return [TopicPartition(topic, p) for topic, numbers in found.items() for p in numbers]
            log.info("waiting for topics %s", ", ".join(t for t, numbers in found.items() if not numbers))
            await asyncio.sleep(RETRY_SECONDS)
