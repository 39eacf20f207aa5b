"""Ingest: decode and validate partner events; bad input to the dead-letter topic, whole.

Valid events are forwarded unchanged (the original bytes) to the validated-events topic, where
identity resolution (``agents.identity``) finds their canonical worker. The agent never raises on bad input: every failure becomes a
dead letter with a reason code a partner can act on.
"""
from __future__ import annotations

from datetime import datetime, timezone

from domain.vocabulary import EVENT_TYPES, SOURCE_KINDS
from streams import metrics
from streams.app import Pipeline
from streams.emit import emit
from streams.ingest import read_event


def register(pipeline: Pipeline) -> None:
    app, topics = pipeline.app, pipeline.topics
    ingest_topic = app.topic(*topics.all_ingest)
    kind_of_topic = topics.ingest_kinds  # once, not per event

    @app.agent(ingest_topic, name=f"{pipeline.settings.topic_prefix}-ingest")
    async def ingest(stream):
        async for event in stream.events():
            message = event.message
            now = datetime.now(timezone.utc)
            decoded, problem = read_event(
                pipeline.events, message.value, now, topic_source_kind=kind_of_topic[message.topic]
            )
            if problem is not None:
                record = dead_letter_record(message, problem, decoded, now)
                await emit(app, message, topics.dead_letter, message.key, pipeline.dead_letters.encode(record))
                metrics.DEAD_LETTERS.labels(problem.reason).inc()
                metrics.events(_kind(decoded), _type(decoded), "dead_letter").inc()
                continue
            await emit(app, message, topics.validated, message.key, message.value)
            metrics.events(_kind(decoded), _type(decoded), "accepted").inc()


def dead_letter_record(message, problem, decoded: dict | None, now: datetime) -> dict:
    return {
        "original": bytes(message.value) if message.value is not None else b"",
        "original_key": message.key,
        "reason": problem.reason,
        "message": problem.message,
        "topic": message.topic,
        "partition": message.partition,
        "offset": message.offset,
        "received_at": now,
        "event_id": decoded.get("event_id") if decoded else None,
        "source_id": decoded["source"]["id"] if decoded else None,
    }


def _kind(decoded: dict | None) -> str:
    """A metric label: only known values, so a partner's junk cannot mint new series."""
    kind = decoded["source"]["kind"] if decoded else None
    return kind if kind in SOURCE_KINDS else "UNKNOWN"


def _type(decoded: dict | None) -> str:
    event_type = decoded.get("event_type") if decoded else None
    return event_type if event_type in EVENT_TYPES else "UNKNOWN"
