"""Lifecycle: fold each worker's events into their state (a RocksDB table with a changelog).

Every change goes to the compacted worker-state topic and to the Redis projection. The fold
remembers event ids, so a redelivered event (a partner's retry, or a replay after a crash)
changes nothing.
"""
from __future__ import annotations

import time

from domain.lifecycle import apply, initial_state, worker_id_for
from streams import metrics
from streams.app import Pipeline


def register(pipeline: Pipeline) -> None:
    app, topics, settings = pipeline.app, pipeline.topics, pipeline.settings
    by_worker = app.topic(topics.by_worker, partitions=settings.partitions)
    worker_state = app.topic(topics.worker_state)
    # Values are Avro-encoded WorkerState: the changelog is as compact and typed as the state topic.
    workers = app.Table("workers", default=None, partitions=settings.partitions)

    @app.agent(by_worker, name=f"{settings.topic_prefix}-lifecycle")
    async def lifecycle(stream):
        async for key, value in stream.items():
            started = time.perf_counter()
            event = pipeline.events.decode(value)
            worker_id = worker_id_for(key.decode())
            stored = workers.get(worker_id)
            state = pipeline.states.decode(stored) if stored else initial_state(worker_id)
            new = apply(state, event)
            labels = (event["source"]["kind"], event["event_type"])
            if new is None:
                metrics.EVENTS.labels(*labels, "duplicate").inc()
                continue
            encoded = pipeline.states.encode(new)
            workers[worker_id] = encoded  # re-assigned, never mutated: that is what writes the changelog
            await worker_state.send(key=worker_id.encode(), value=encoded)
            await pipeline.projection.write(new)
            metrics.EVENTS.labels(*labels, "applied").inc()
            metrics.PROCESSING_SECONDS.observe(time.perf_counter() - started)
