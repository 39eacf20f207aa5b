"""Lifecycle: fold each worker's events into their state (a RocksDB table with a changelog).

Every change goes to the compacted worker-state topic and to the Redis projection. The fold
remembers event ids, so a redelivered event (a partner's retry, or a replay after a crash)
changes nothing; its outputs are written again, since a crash may have cut them off.
"""
from __future__ import annotations

import time

from domain.lifecycle import apply, initial_state, worker_id_for
from streams import metrics
from streams.app import Pipeline
from streams.emit import emit


def register(pipeline: Pipeline) -> None:
    app, topics, settings = pipeline.app, pipeline.topics, pipeline.settings
    by_worker = app.topic(topics.by_worker, partitions=settings.partitions)
    # Values are Avro-encoded WorkerState: the changelog is as compact and typed as the state topic.
    workers = app.Table(
        "workers", default=None, partitions=settings.partitions, key_type=bytes, value_type=bytes
    )

    @app.agent(by_worker, name=f"{settings.topic_prefix}-lifecycle")
    async def lifecycle(stream):
        async for received in stream.events():
            started = time.perf_counter()
            key, value = received.key, received.value
            event = pipeline.events.decode(value)
            worker_id = worker_id_for(key.decode())
            table_key = worker_id.encode()
            stored = workers.get(table_key)
            state = pipeline.states.decode(stored) if stored else initial_state(worker_id)
            folded = apply(state, event)
            # A duplicate may be the replay of an event whose outputs a crash cut off (the local
            # store written, the changelog or the state topic not): writing them again is idempotent.
            new, encoded = (state, stored) if folded is None else (folded, pipeline.states.encode(folded))
            workers[table_key] = encoded  # re-assigned, never mutated: that is what writes the changelog
            await emit(app, received.message, topics.worker_state, table_key, encoded)
            await pipeline.projection.write(new)
            outcome = "duplicate" if folded is None else "applied"
            metrics.EVENTS.labels(event["source"]["kind"], event["event_type"], outcome).inc()
            metrics.PROCESSING_SECONDS.observe(time.perf_counter() - started)
