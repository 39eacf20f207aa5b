"""The compacted counts topic (DESIGN §6, ``schemas/count``): the reconciliation sums, published.

Every ``PUBLISH_SECONDS`` the leader process of the pipeline (one per consumer group) reads the
sums the Redis projection keeps (``streams.reconcile.read_snapshot``), builds the records
(``domain.count_records``) and sends the cells that changed since it last sent, keyed
``dimension|key|view``. The records are snapshot values that the next one replaces, so
at-least-once is enough: a record sent twice, or by a former leader, is overwritten by a newer one.
Hence a plain ``AIOKafkaProducer`` of its own rather than faust's, whose sends under exactly_once
need the transaction of a source partition this timer does not have.

``as_of`` is the pipeline's event-time watermark (``streams.alerting``); before it exists nothing
is published. The memory of what was sent starts empty: after a restart or a change of leader
every cell is sent once more, which a compacted topic absorbs.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

import redis.asyncio as aioredis
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from redis.exceptions import RedisError

from domain.count_records import Cell, Count, all_counts, applied, changes
from streams.codec import AvroCodec
from streams.reconcile import read_snapshot

log = logging.getLogger(__name__)
PUBLISH_SECONDS = 2.0


class CountsTopic:
    def __init__(self, pipeline):
        self.pipeline = pipeline
        self.codec = AvroCodec.named("count")
        self.published: dict[Cell, Count] = {}  # what the topic holds, as far as this process sent it
        self._redis = aioredis.from_url(pipeline.settings.redis_url, decode_responses=True)
        self._producer: AIOKafkaProducer | None = None

    def register(self) -> None:
        app = self.pipeline.app
        app.timer(PUBLISH_SECONDS, on_leader=True, name=f"{self.pipeline.settings.topic_prefix}-counts")(self.publish)
        app.on_before_shutdown.connect(self._close)

    async def publish(self) -> None:
        """Send the cells that changed; on a Redis or Kafka error, log it and try again next time."""
        alerting = self.pipeline.alerting
        if not alerting.tail.caught_up.is_set():  # the watermark is not known yet
            return
        as_of = alerting.context(datetime.now(timezone.utc)).watermark
        if as_of is None:
            return
        try:
            summed, by_status = await read_snapshot(self._redis, self.pipeline.settings)
            send = changes(self.published, all_counts(summed, by_status))
            if not send:
                return
            producer = await self._started()
            topic = self.pipeline.topics.counts
            deliveries = [await producer.send(topic, self.codec.encode(c.record(as_of)), key=c.topic_key.encode())
                          for c in send]
            for delivery in deliveries:
                await delivery
        except (RedisError, KafkaError, OSError) as error:
            log.warning("counts topic: not published this time: %s", error)
            return
        self.published = applied(self.published, send)

    async def _started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(bootstrap_servers=self.pipeline.settings.kafka_bootstrap, acks="all",
                                        linger_ms=20)
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _close(self, app, **kwargs) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
        await self._redis.aclose()
