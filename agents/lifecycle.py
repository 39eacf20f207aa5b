"""Lifecycle: keep each worker's events (a RocksDB table with a changelog) and fold their state.

The table holds a worker's distinct events in fold order; the state is ``domain.fold.fold`` of
them, so it does not depend on arrival order. Events are handled in batches
(``streams.batches``): each event joins its worker's history (a redelivered one — a partner's
retry, or a replay after a crash — adds nothing and counts as a duplicate), then every worker
the batch touched has its history, its state on the compacted worker-state topic and its Redis
projection written once. A worker touched only by duplicates is written too, since a crash may
have cut off the outputs of the first delivery.

Merges (``agents.identity``, ``streams.moves``): a *move* for a worker sends each event of its
history to the surviving worker's key, where they are folded with the survivor's own; the
merged-away worker keeps a forward to the survivor (and its events, to hand over again should
the move be processed again after a crash), its state becomes a tombstone and its Redis
projection a pointer to the survivor. An event that still reaches a merged-away worker follows
the forward.

Before the states are written, the rules evaluate every touched worker (``streams.alerting``), which
also gives each state its open alerts; a merged-away worker's alerts are withdrawn.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone

from streams import metrics
from streams.app import Pipeline
from streams.batches import batches, handling, paced
from streams.emit import emit
from streams.moves import FORWARDED, MOVE, forwarded_headers, kind_of


_MERGE_KIND = {MOVE: "move", FORWARDED: "forwarded"}


def register(pipeline: Pipeline) -> None:
    app, topics, settings = pipeline.app, pipeline.topics, pipeline.settings
    by_worker = app.topic(topics.by_worker, partitions=settings.partitions)
    workers, histories, alerting = pipeline.workers, pipeline.histories, pipeline.alerting

    @app.agent(by_worker, name=f"{settings.topic_prefix}-lifecycle")
    async def lifecycle(stream):
        async for batch in batches(stream):
            started = time.perf_counter()
            touched = {}  # table key → (the worker's last message in the batch, their history now)
            forwards = []  # (message it is sent for, survivor's key, value, headers)
            outcomes = Counter()
            merge_messages = Counter()  # (kind, side) → n: metrics.MERGE_MESSAGES
            wall = datetime.now(timezone.utc)
            async for received in paced(batch):
                table_key = received.key
                if table_key in touched:
                    kept = touched[table_key][1]
                else:
                    with handling(received):
                        kept = histories.read(table_key, workers.get(table_key))
                kind = kind_of(received.message)
                if kind is not None:
                    merge_messages[_MERGE_KIND[kind], "received"] += 1
                if kind == MOVE:
                    survivor = received.value.decode()
                    kept = replace(kept, moved_to=survivor)
                    forwards += [(received, survivor.encode(), data, forwarded_headers()) for data in kept.encoded]
                    merge_messages["forwarded", "sent"] += len(kept.encoded)
                elif kept.moved_to is not None:
                    forwards.append((received, kept.moved_to.encode(), received.value, received.message.headers))
                    if kind == FORWARDED:
                        merge_messages["forwarded", "sent"] += 1
                    continue
                else:
                    event = pipeline.events.decode(received.value)
                    alerting.observe(received.message.partition, event["occurred_at"], wall)
                    grown = kept.with_event(event, received.value)
                    kept = grown or kept
                    if kind != FORWARDED:  # a forwarded event was counted where it was first applied
                        outcome = "applied" if grown else "duplicate"
                        outcomes[event["source"]["kind"], event["event_type"], outcome] += 1
                touched[table_key] = received, kept

            living, moved = [], []
            async for table_key, (received, history) in paced(touched.items()):
                with handling(received):
                    # Re-assigned, never mutated: that is what writes the changelog.
                    workers[table_key] = histories.encode(table_key, history)
                if history.moved_to is None:
                    living.append((table_key, received, history.events))
                    continue
                # Under the alerting lock: a sweep that read this worker's row before the merge and is
                # still evaluating it would otherwise write its state after this tombstone, and the
                # merged-away worker would live on, beside their survivor, on the state topic.
                async with alerting.lock:
                    await emit(app, received.message, topics.worker_state, table_key, None)
                    await alerting.withdraw_worker(table_key, received)
                moved.append((table_key.decode(), history.moved_to))
            # The rules (streams.alerting): alerts published, and each state with its open alerts.
            states = await alerting.after_batch(living)
            async for table_key, received, _ in paced(living):
                await emit(app, received.message, topics.worker_state, table_key, pipeline.states.encode(states[table_key]))
            for received, survivor, value, headers in forwards:
                await emit(app, received.message, topics.by_worker, survivor, value, headers=headers)
            await pipeline.projection.write_many(list(states.values()), moved)

            for labels, count in outcomes.items():
                metrics.events(*labels).inc(count)
            for labels, count in merge_messages.items():
                metrics.MERGE_MESSAGES.labels(*labels).inc(count)
            elapsed = time.perf_counter() - started
            for _ in batch:
                metrics.PROCESSING_SECONDS.observe(elapsed)
