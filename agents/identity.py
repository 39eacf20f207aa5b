"""Identity: every validated event to its canonical worker (``domain.identity``), then to the lifecycle.

The input is one partition, so one process takes every identity decision, one at a time, in
one order: a record may link to any worker seen before, and merges never race
(docs/identity.md says why and what bounds it). The index lives in one table
(``streams.identity_store``), restored from its changelog on another process after a takeover.

Per event: the event, unchanged, to the by-worker topic keyed by its canonical worker id; for
each worker it showed to be the same person, a *move* to that worker's key (the lifecycle hands
its history to the survivor, ``agents.lifecycle``) and a record on the identity-audit topic; for
a likely but unproven duplicate, a POSSIBLE_DUPLICATE alert.
"""
from __future__ import annotations

from domain.alerts import to_record
from domain.identity.resolver import Decision, Index, record_of
from domain.identity.review import possible_duplicate
from streams import metrics
from streams.app import Pipeline
from streams.emit import emit
from streams.identity_store import DecisionLog, index_mappings, resolve_once
from streams.moves import move_headers


def register(pipeline: Pipeline) -> None:
    app, topics, settings = pipeline.app, pipeline.topics, pipeline.settings
    validated = app.topic(topics.validated, partitions=1)
    index = Index(**index_mappings(pipeline.identity))
    decisions = DecisionLog(pipeline.identity)

    @app.agent(validated, name=f"{settings.topic_prefix}-identity")
    async def identity(stream):
        async for event in stream.events():
            message = event.message
            decoded = pipeline.events.decode(message.value)
            record = record_of(decoded)
            decision = resolve_once(index, decisions, message.offset, record)
            winner = decision.worker_id.encode()
            for loser in decision.merged:
                await emit(app, message, topics.by_worker, loser.encode(), winner, headers=move_headers())
            await emit(app, message, topics.by_worker, winner, message.value)
            if decision.merged:
                await emit(app, message, topics.identity_audit, winner, pipeline.audits.encode(_audit(decision, record.event_key, decoded)))
                metrics.IDENTITY_MERGES.inc(len(decision.merged))
                metrics.MERGE_MESSAGES.labels("move", "sent").inc(len(decision.merged))
            review = possible_duplicate(decision, record.event_key, decoded["occurred_at"])
            if review is not None:
                await emit(app, message, topics.alerts, review.alert_id.encode(), pipeline.alerts.encode(to_record(review)))
            metrics.IDENTITY_DECISIONS.labels(decision.how).inc()


def _audit(decision: Decision, event_key: str, event: dict) -> dict:
    return {
        "worker_id": decision.worker_id,
        "merged": list(decision.merged),
        "how": decision.how,
        "score": decision.score,
        "evidence": event_key,
        "occurred_at": event["occurred_at"],
    }
