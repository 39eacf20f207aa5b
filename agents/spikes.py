"""SPIKE: each subject's incidents, judged against the subject's own baseline (``domain.rules.spike``).

Workers' incidents arrive re-keyed by subject on the incidents topic (``streams.alerting``), so one
partition owns each employer, P3MI and country. The ``spikes`` table keeps, per subject, every
worker's latest incidents there, what was published and the next deadline
(``domain.subject_alerts``); a subject is judged once per batch that changes its incidents, and when the
pipeline's watermark passes their deadline (a sweep, as for workers). One open SPIKE per subject
at a time: a run of spiking instants is one alert.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from faust.types import TP

from domain.alerts import to_record
from domain.subject_alerts import SubjectKept, reevaluate
from domain.timers import Timers
from streams import metrics
from streams.alerting import SWEEP_SECONDS, PartitionEvent, partition_of
from streams.app import Pipeline, byte_table
from streams.batches import batches, handling, paced
from streams.emit import emit
from streams.faust_fixes import commit_outputs
from streams.subjects import Subjects

# How long the agent gathers incidents before judging. Judging and writing a subject cost as much
# as its history is long (a country holds thousands of incidents), so a busy subject is judged
# once per gathering rather than after every batch of the lifecycle; a few seconds are nothing
# to an alert about a week's rate, and worker alerts do not pass through here.
GATHER_SECONDS = 5.0


def register(pipeline: Pipeline) -> None:
    app, topics, settings, alerting = pipeline.app, pipeline.topics, pipeline.settings, pipeline.alerting
    codec = alerting.codec
    incidents = app.topic(topics.incidents, partitions=settings.partitions)
    table = byte_table(app, "spikes", settings.partitions)
    subjects = Subjects(codec)
    timers = Timers()  # subject key → next deadline
    lock = asyncio.Lock()
    rebuild = asyncio.Event()

    async def judge(at, key: bytes, subject, kept: SubjectKept, sent_at: datetime | None = None) -> None:
        """Re-evaluate one subject (``at``: an event of its partition; ``sent_at``: the watermark its
        incidents were sent at) and keep what was published."""
        context, since = alerting.context(datetime.now(timezone.utc)), alerting.since
        before = kept.published
        kept, publish = reevaluate(kept, subject, since, context, sent_at)
        sends = [await emit(app, at.message, topics.alerts, f.alert_id.encode(), codec.alert.encode(to_record(f)))
                 for f in publish]
        await asyncio.gather(*sends)  # on the broker before the row says so
        with handling(at):
            table[key] = subjects.encode(key, subject, kept)
        timers.set(key, kept.next_deadline)
        for f in publish:
            if f.alert_id not in before:
                metrics.alerts(f.rule, f.severity).inc()

    @app.agent(incidents, name=f"{settings.topic_prefix}-spikes")
    async def spikes(stream):
        async for batch in batches(stream, within=GATHER_SECONDS):
            await alerting.tail.caught_up.wait()
            async with lock:
                # A subject is judged once per batch, on every incident the batch brought it: the
                # findings are a function of its incidents, not of their order, and re-reading,
                # judging and re-writing a country's whole history per message was quadratic.
                touched = {}  # table key → (its last message, subject, worker id → their incidents, latest sent_at)
                async for received in paced(batch):
                    worker_id, subject, found, sent_at = codec.incidents(received.value)
                    _, _, updates, sent_before = touched.get(received.key, (None, None, {}, None))
                    updates[worker_id] = found  # a worker's later message replaces their earlier one
                    touched[received.key] = received, subject, updates, _latest(sent_before, sent_at)
                async for key, (received, subject, updates, sent_at) in paced(touched.items()):
                    with handling(received):
                        _, kept = subjects.read(key, table.get(key))
                    await judge(received, key, subject, kept.with_workers(updates), sent_at)

    @app.timer(SWEEP_SECONDS, name=f"{settings.topic_prefix}-spikes-sweep")
    async def sweep() -> None:
        nonlocal timers
        if not alerting.tail.caught_up.is_set() or app.rebalancing or not app.tables.recovery.completed.is_set():
            return
        async with lock:
            if rebuild.is_set():
                rebuild.clear()
                timers = Timers()
                for key, stored in table.items():
                    timers.set(key, subjects.read(key, stored)[1].next_deadline)
            owned = {tp.partition for tp in app.assignor.assigned_actives() if tp.topic == topics.incidents}
            judged = set()
            for key in timers.pop_due(alerting.context(datetime.now(timezone.utc)).watermark):
                at = PartitionEvent(topics.incidents, partition_of(key, settings.partitions))
                if at.message.partition in owned:
                    with handling(at):
                        subject, kept = subjects.read(key, table.get(key))
                    await judge(at, key, subject, kept)
                    judged.add(TP(topics.incidents, at.message.partition))
            await commit_outputs(app, judged)

    @table.on_recover
    async def on_recover() -> None:
        rebuild.set()


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return a if b is None else b if a is None else max(a, b)
