"""Alert channels: the alerts topic into Redis — each alert's hash and index sets, and for every
change of an alert's shown status a stream entry and a message on its severity's channel.

Batches (``streams.batches``) are written in one read and one write round trip. A crash before
the batch's offsets are committed delivers it again; the write keeps per alert the record of
highest precedence (``domain.alert_projection``), so a second delivery changes nothing and
announces nothing. A record that does not decode, or says what no alert can (an unknown status
or severity), goes to the dead-letter topic whole: one bad record must not stop the channels.
"""
from __future__ import annotations

from datetime import datetime, timezone

from agents.ingest import dead_letter_record
from domain.alert_projection import document
from streams import metrics
from streams.alert_channels import read_alert
from streams.app import Pipeline
from streams.batches import batches
from streams.emit import emit


def register(pipeline: Pipeline) -> None:
    app, topics, settings = pipeline.app, pipeline.topics, pipeline.settings
    alerts_topic = app.topic(topics.alerts, partitions=settings.partitions)

    @app.agent(alerts_topic, name=f"{settings.topic_prefix}-alert-channels")
    async def alert_channels(stream):
        async for batch in batches(stream):
            alerts = []
            for event in batch:
                record, problem = read_alert(pipeline.alerts, event.message.value)
                if problem is None:
                    alerts.append(document(record))
                    continue
                now = datetime.now(timezone.utc)
                dead = dead_letter_record(event.message, problem, None, now)
                await emit(app, event.message, topics.dead_letter, event.message.key, pipeline.dead_letters.encode(dead))
                metrics.DEAD_LETTERS.labels(problem.reason).inc()
            await pipeline.alert_channels.write(alerts)
