"""Lifecycle: keep each worker's events (a RocksDB table with a changelog) and fold their state.

The table holds a worker's distinct events in fold order; the state is ``domain.fold.fold`` of
them, so it does not depend on arrival order. Events are handled in batches
(``streams.batches``): each event joins its worker's history (a redelivered one — a partner's
retry, or a replay after a crash — adds nothing and counts as a duplicate), then every worker
the batch touched has its history, its state on the compacted worker-state topic and its Redis
projection written once. A worker touched only by duplicates is written too, since a crash may
have cut off the outputs of the first delivery. Before the states are written, the rules evaluate
every touched worker (``streams.alerting``), which also gives each state its open alerts.
"""
from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timezone

from streams import metrics
from streams.app import Pipeline
from streams.batches import batches, handling, paced
from streams.emit import emit


def register(pipeline: Pipeline) -> None:
    app, topics, settings = pipeline.app, pipeline.topics, pipeline.settings
    by_worker = app.topic(topics.by_worker, partitions=settings.partitions)
    workers, histories, alerting = pipeline.workers, pipeline.histories, pipeline.alerting

    @app.agent(by_worker, name=f"{settings.topic_prefix}-lifecycle")
    async def lifecycle(stream):
        async for batch in batches(stream):
            started = time.perf_counter()
            touched = {}  # table key → (the worker's last event in the batch, their grown history)
            outcomes = Counter()
            wall = datetime.now(timezone.utc)
            async for received in paced(batch):
                event = pipeline.events.decode(received.value)
                alerting.observe(received.message.partition, event["occurred_at"], wall)
                table_key = received.key
                if table_key in touched:
                    kept = touched[table_key][1]
                else:
                    with handling(received):
                        kept = histories.read(table_key, workers.get(table_key))
                grown = kept.with_event(event, received.value)
                touched[table_key] = received, grown or kept
                outcome = "applied" if grown else "duplicate"
                outcomes[event["source"]["kind"], event["event_type"], outcome] += 1

            async for table_key, (received, history) in paced(touched.items()):
                with handling(received):
                    # Re-assigned, never mutated: that is what writes the changelog.
                    workers[table_key] = histories.encode(table_key, table_key.decode(), history)
            # The rules (streams.alerting): alerts published, and each state with its open alerts.
            states = await alerting.after_batch((key, received, history.events) for key, (received, history) in touched.items())
            async for table_key, (received, _) in paced(touched.items()):
                await emit(app, received.message, topics.worker_state, table_key, pipeline.states.encode(states[table_key]))
            await pipeline.projection.write_many(list(states.values()))

            for labels, count in outcomes.items():
                metrics.events(*labels).inc(count)
            elapsed = time.perf_counter() - started
            for _ in batch:
                metrics.PROCESSING_SECONDS.observe(elapsed)
