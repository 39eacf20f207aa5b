"""Lifecycle: keep each worker's events (a RocksDB table with a changelog) and fold their state.

The table holds a worker's distinct events in fold order; the state is ``domain.fold.fold`` of
them, so it does not depend on arrival order. Every event's state goes to the compacted
worker-state topic and to the Redis projection. A redelivered event (a partner's retry, or a
replay after a crash) adds nothing to the history; its outputs are written again, since a
crash may have cut them off.
"""
from __future__ import annotations

import time

from domain.fold import fold, with_event
from streams import metrics
from streams.app import Pipeline
from streams.emit import emit


def register(pipeline: Pipeline) -> None:
    app, topics, settings = pipeline.app, pipeline.topics, pipeline.settings
    by_worker = app.topic(topics.by_worker, partitions=settings.partitions)
    workers = pipeline.workers

    @app.agent(by_worker, name=f"{settings.topic_prefix}-lifecycle")
    async def lifecycle(stream):
        async for received in stream.events():
            started = time.perf_counter()
            event = pipeline.events.decode(received.value)
            table_key = received.key
            worker_id = table_key.decode()
            stored = workers.get(table_key)
            kept = pipeline.history(stored)
            grown = with_event(kept, event)
            duplicate = grown is None
            # A duplicate may be the replay of an event whose outputs a crash cut off (the local
            # store written, the changelog or the state topic not): writing them again is idempotent.
            if duplicate:
                grown, history = kept, stored
            else:
                history = pipeline.encode_history(worker_id, grown)
            workers[table_key] = history  # re-assigned, never mutated: that is what writes the changelog
            state = fold(grown, worker_id)
            await emit(app, received.message, topics.worker_state, table_key, pipeline.states.encode(state))
            await pipeline.projection.write(state)
            outcome = "duplicate" if duplicate else "applied"
            metrics.EVENTS.labels(event["source"]["kind"], event["event_type"], outcome).inc()
            metrics.PROCESSING_SECONDS.observe(time.perf_counter() - started)
