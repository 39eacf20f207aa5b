"""The anomaly rules in the stream: per-worker evaluation, the pipeline's watermark, timers, reference data.

The lifecycle calls ``after_batch`` with the workers a batch touched; a periodic sweep re-evaluates
the workers whose deadline the watermark has passed and those whose reference records changed.
Either way one worker goes through ``domain.worker_alerts.reevaluate``: its alert changes are
produced on the alerts topic (keyed by alert id, Avro ``schemas/alert``), its incidents that changed
go to the incidents topic for SPIKE (``agents.spikes``), and what was published is kept in the
``alerting`` table (``schemas/worker_alerts``, keyed and partitioned like the lifecycle's table), so
a restart or a redelivered batch evaluates to the same row and publishes nothing twice.

Order matters for that: a row is written only after the records it says were published are on
the broker (their sends awaited), so a crash in between republishes rather than loses an alert.

Watermark (docs/alerts.md, "In the stream"): each partition of the by-worker topic has its own
``Watermark`` over the events read from it, kept in the ``watermarks`` table (so the partition's
owner restores it). Every process follows that table's changelog whole (``TopicTail``) and takes the
pipeline's watermark as the least of the partitions' (``domain.watermark.least``). Reference data:
the compacted reference topics, followed whole by every process into ``ReferenceTables``.
Nothing is evaluated before both views have caught up with what the topics held at start.

The sweep and the batches take turns (one lock): an evaluation never interleaves with another of
the same worker, and a merged-away worker's tombstone (``agents.lifecycle``) never falls between a
sweep's reading of their row and its writing of their state. Outside a batch faust has no current event to route table writes and
transactions by; ``PartitionEvent`` stands in for an event of the worker's partition.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType, SimpleNamespace

from aiokafka import ConsumerRecord
from aiokafka.partitioner import DefaultPartitioner
from faust.types import TP

from domain import reference as ref
from domain.alerts import Subject, from_record, to_record
from domain.reference_index import ReferenceIndex
from domain.reference_tables import ReferenceTables
from domain.rules.context import Context
from domain.rules.incidents import Incident
from domain.timers import Timers
from domain.watermark import Watermark, bound, least, lowest
from domain.subject_alerts import SubjectKept
from domain.worker_alerts import EMPTY, Kept, Outcome, forget, reevaluate
from streams import metrics
from streams.app import byte_table
from streams.batches import handling, paced
from streams.codec import AvroCodec
from streams.emit import emit
from streams.faust_fixes import commit_outputs
from streams.topic_tail import TopicTail

log = logging.getLogger(__name__)
SWEEP_SECONDS = 1.0
WATERMARKS = "watermarks"  # the table of the by-worker partitions' watermarks
_PARTITIONER = DefaultPartitioner()


class Alerting:
    def __init__(self, pipeline):
        self.pipeline = pipeline
        app, settings = pipeline.app, pipeline.settings
        self.rows = byte_table(app, "alerting", settings.partitions)
        self.watermark_rows = byte_table(app, WATERMARKS, settings.partitions)
        self.codec = Codecs()
        self.partitions: dict[int, Watermark] = {}  # by-worker partition → its watermark
        # Sent with incidents (SPIKE settles behind it): the bound before the batch being evaluated moved
        # the watermark. A batch of a backlog can span months of one partition's events, and the
        # watermark after it is ahead of the batch's own incidents by that much.
        self.sent_bound: datetime | None = None
        self.records: dict[str, dict[str, dict]] = {kind: {} for kind in ref.KINDS}  # kind → key → record
        self.versions: dict[tuple[str, str], str] = {}  # (kind, key) → digest of the record's bytes
        self.tables = ReferenceTables()
        self.timers = Timers()  # worker key → next deadline
        self.index = ReferenceIndex()  # (kind, key) → worker keys
        self.pending: set[bytes] = set()  # workers to re-evaluate at the next sweep
        self.lock = asyncio.Lock()
        self._rebuild = False
        self._reference_topics = {pipeline.topics.reference(kind): kind for kind in ref.KINDS}
        self.tail = TopicTail(settings, [*self._reference_topics, self.watermark_rows.changelog_topic_name], self._on_record)
        self.rows.on_recover(self._on_recover)

    def register(self) -> None:
        """The process-wide work: following the views, and the sweep."""
        app = self.pipeline.app
        app.task(self.tail.run)
        app.timer(SWEEP_SECONDS, name=f"{self.pipeline.settings.topic_prefix}-alerting-sweep")(self.sweep)

    @property
    def by_worker(self) -> str:
        return self.pipeline.topics.by_worker

    # --- the views every process keeps -----------------------------------------------------------

    async def _on_record(self, record: ConsumerRecord) -> None:
        if record.topic in self._reference_topics:
            self._reference(self._reference_topics[record.topic], record)
        elif record.value is not None:
            mark = self.codec.watermark(record.value)
            partition = int(record.key)
            known = self.partitions.get(partition)
            # This process's own writes come back too: the later observation wins.
            if known is None or known.seen_at <= mark.seen_at:
                self.partitions[partition] = mark

    def _reference(self, kind: str, record: ConsumerRecord) -> None:
        key = record.key.decode()
        if record.value is None:
            self.records[kind].pop(key, None)
            self.versions.pop((kind, key), None)
        else:
            self.records[kind][key] = AvroCodec.named(ref.KINDS[kind].schema).decode(record.value)
            self.versions[kind, key] = hashlib.blake2b(record.value, digest_size=8).hexdigest()
        self.tables = ReferenceTables.of(self.records[ref.P3MI_LICENCES].values(),
                                         self.records[ref.DESTINATION_POLICY].values())
        self.pending |= self.index.workers((kind, key))

    def context(self, wall: datetime) -> Context:
        return Context(self.tables, least(self.partitions.values(), wall))

    @property
    def since(self) -> datetime | None:
        return lowest(self.partitions.values())

    def observe(self, partition: int, event_time: datetime, wall: datetime) -> None:
        """An event of the by-worker topic's ``partition`` was read at ``wall``."""
        self.partitions[partition] = self.partitions.get(partition, Watermark()).observe(event_time, wall)

    # --- per worker ---------------------------------------------------------------------------------

    async def after_batch(self, touched: Iterable[tuple[bytes, object, list[dict]]]) -> dict[bytes, dict]:
        """Evaluate every worker a batch touched — ``(table key, one of their events in the batch, their
        events)`` — after the batch's events moved the watermark; their states with ``open_alerts``."""
        await self.tail.caught_up.wait()
        async with self.lock:
            touched = list(touched)
            wall = datetime.now(timezone.utc)
            for received in {event.message.partition: event for _, event, _ in touched}.values():
                partition = received.message.partition
                with handling(received):
                    self.watermark_rows[str(partition).encode()] = self.codec.encode_watermark(partition, self.partitions[partition])
            states = await self._evaluate([(key, event, events) for key, event, events in touched], self.context(wall))
            self.sent_bound = bound(self.partitions.values(), self.pipeline.settings.partitions, wall)
            return states

    def open_rules(self, table_key: bytes) -> list[str]:
        """The worker's open alerts as last published (read where the worker's table row is)."""
        return self.codec.kept(self.rows.get(table_key)).open_rules

    async def withdraw_worker(self, table_key: bytes, received) -> None:
        """The worker of ``table_key`` no longer exists (merged into another, ``received`` the event that
        merged them): every alert of theirs still standing is withdrawn and their row removed."""
        with handling(received):
            kept = self.codec.kept(self.rows.get(table_key))
        await self._publish([(table_key, received, forget(kept))])
        with handling(received):
            self.rows.pop(table_key, None)
        self.timers.set(table_key, None)
        self.index.update(table_key, kept.reference, ())

    async def _evaluate(self, workers: list[tuple[bytes, object, list[dict]]], context: Context) -> dict[bytes, dict]:
        outcomes = []
        async for table_key, received, events in paced(workers):
            with handling(received):
                before = self.codec.kept(self.rows.get(table_key))
            outcome = reevaluate(before, events, table_key.decode(), context, self.versions)
            outcomes.append((table_key, received, before, outcome))
        await self._publish([(table_key, received, outcome) for table_key, received, _, outcome in outcomes])
        for table_key, received, before, outcome in outcomes:
            if outcome.kept != before:
                with handling(received):
                    self.rows[table_key] = self.codec.encode_kept(table_key.decode(), outcome.kept)
            self.timers.set(table_key, outcome.kept.next_deadline)
            self.index.update(table_key, before.reference, outcome.kept.reference)
            for f in outcome.publish:
                if f.alert_id not in before.published:
                    metrics.alerts(f.rule, f.severity).inc()
        return {table_key: outcome.state for table_key, _, _, outcome in outcomes}

    async def _publish(self, outcomes: list[tuple[bytes, object, Outcome]]) -> None:
        """Produce the outcomes' alerts and incidents, and wait until the broker has them: only then may
        a row say they were published."""
        sends = []
        for table_key, received, outcome in outcomes:
            sends += await self._sends(received, table_key.decode(), outcome)
        await asyncio.gather(*sends)

    async def _sends(self, received, worker_id: str, outcome: Outcome) -> list:
        app, topics = self.pipeline.app, self.pipeline.topics
        sends = [
            await emit(app, received.message, topics.alerts, f.alert_id.encode(), self.codec.alert.encode(to_record(f)))
            for f in outcome.publish
        ]
        for subject, incidents in sorted(outcome.incidents_by_subject.items(), key=lambda item: (item[0].kind, item[0].id)):
            value = self.codec.encode_incidents(worker_id, subject, incidents, self.sent_bound)
            sends.append(await emit(app, received.message, topics.incidents, subject_key(subject), value))
        return sends

    # --- the sweep: deadlines passed, reference records changed -------------------------------------

    async def sweep(self) -> None:
        app = self.pipeline.app
        if not self.tail.caught_up.is_set() or app.rebalancing or not app.tables.recovery.completed.is_set():
            return
        async with self.lock:
            if self._rebuild:
                self._rebuild = False
                self._restore()
            wall = datetime.now(timezone.utc)
            context = self.context(wall)
            due = [*self.timers.pop_due(context.watermark), *sorted(self.pending)]
            self.pending.clear()
            owned = {tp.partition for tp in app.assignor.assigned_actives() if tp.topic == self.by_worker}
            workers = []
            for table_key in dict.fromkeys(due):
                at = PartitionEvent(self.by_worker, partition_of(table_key, self.pipeline.settings.partitions))
                if at.message.partition not in owned:
                    continue
                with handling(at):
                    stored = self.pipeline.workers.get(table_key)
                history = self.pipeline.histories.read(table_key, stored) if stored is not None else None
                if history is not None and history.moved_to is None:  # merged-away workers have no alerts
                    workers.append((table_key, at, history.events))
            if not workers:
                return
            states = await self._evaluate(workers, context)
            for table_key, at, _ in workers:
                await emit(app, at.message, self.pipeline.topics.worker_state, table_key,
                           self.pipeline.states.encode(states[table_key]))
            await self.pipeline.projection.write_many(list(states.values()))
            await commit_outputs(app, {TP(self.by_worker, at.message.partition) for _, at, _ in workers})

    async def _on_recover(self) -> None:
        self._rebuild = True

    def _restore(self) -> None:
        """Rebuild the timer and reference indexes from the rows of the partitions this process owns now;
        a worker whose reference records changed meanwhile is due at once."""
        self.timers, self.index = Timers(), ReferenceIndex()
        for table_key, stored in self.rows.items():
            kept = self.codec.kept(stored)
            self.timers.set(table_key, kept.next_deadline)
            self.index.update(table_key, (), kept.reference)
            if kept.stale(self.versions):
                self.pending.add(table_key)
        log.info("alerting: %d timers, %d workers to re-evaluate after recovery", len(self.timers), len(self.pending))


@dataclass
class PartitionEvent:
    """Stands in for an event of one partition where faust routes by the current event."""

    message: SimpleNamespace

    def __init__(self, topic: str, partition: int):
        self.message = SimpleNamespace(topic=topic, partition=partition)


def watermark_changelog(settings) -> str:
    """The changelog topic of the watermarks table (faust names it so): for readers outside the worker."""
    return f"{settings.app_id}-{WATERMARKS}-changelog"


def partition_of(key: bytes, partitions: int) -> int:
    """The partition the producer's default partitioner gives ``key``: where the by-worker topic has it."""
    every = list(range(partitions))
    return _PARTITIONER(key, every, every)


def subject_key(subject: Subject) -> bytes:
    return f"{subject.kind}:{subject.id}".encode()


class Codecs:
    """The Avro records of ``schemas/worker_alerts``, ``schemas/incidents`` and ``schemas/watermark``."""

    def __init__(self):
        self.alert = AvroCodec.named("alert")
        self._kept = AvroCodec.named("worker_alerts")
        self._incidents = AvroCodec.named("incidents")
        self._watermark = AvroCodec.named("watermark")
        self._subject = AvroCodec.named("subject_alerts")

    def kept(self, stored: bytes | None) -> Kept:
        if stored is None:
            return EMPTY
        record = self._kept.decode(stored)
        return Kept(
            self._published(record["alerts"]),
            record["next_deadline"],
            MappingProxyType({tuple(k.split(":", 1)): v for k, v in record["reference"].items()}),
            tuple(incident_of(i) for i in record["incidents"]),
        )

    def encode_kept(self, worker_id: str, kept: Kept) -> bytes:
        return self._kept.encode({
            "worker_id": worker_id,
            "alerts": self._encode_published(kept.published),
            "next_deadline": kept.next_deadline,
            "reference": {f"{kind}:{key}": version for (kind, key), version in kept.reference.items()},
            "incidents": [incident_record(i) for i in kept.incidents],
        })

    def encode_incidents(self, worker_id: str, subject: Subject, incidents: Iterable[Incident],
                         watermark: datetime | None) -> bytes:
        return self._incidents.encode({
            "worker_id": worker_id,
            "subject": {"kind": subject.kind, "id": subject.id},
            "incidents": [incident_record(i) for i in incidents],
            "watermark": watermark,
        })

    def incidents(self, value: bytes) -> tuple[str, Subject, tuple[Incident, ...], datetime | None]:
        """Worker id, subject, the worker's incidents against it, and the watermark they were sent at."""
        record = self._incidents.decode(value)
        subject = record["subject"]
        return (record["worker_id"], Subject(subject["kind"], subject["id"]),
                tuple(map(incident_of, record["incidents"])), record["watermark"])

    def watermark(self, value: bytes) -> Watermark:
        record = self._watermark.decode(value)
        return Watermark(highest=record["highest"], lowest=record["lowest"], base=record["base"], seen_at=record["seen_at"])

    def encode_watermark(self, partition: int, mark: Watermark) -> bytes:
        return self._watermark.encode({"partition": partition, "highest": mark.highest, "lowest": mark.lowest,
                                       "base": mark.base, "seen_at": mark.seen_at})


    def subject(self, stored: bytes) -> tuple[Subject, SubjectKept]:
        record = self._subject.decode(stored)
        subject = record["subject"]
        return Subject(subject["kind"], subject["id"]), SubjectKept(
            MappingProxyType({w: tuple(map(incident_of, found)) for w, found in record["by_worker"].items()}),
            self._published(record["alerts"]),
            record["next_deadline"],
            record["settled"],
        )

    def encode_subject(self, subject: Subject, kept: SubjectKept) -> bytes:
        return self._subject.encode({
            "subject": {"kind": subject.kind, "id": subject.id},
            "by_worker": {w: [incident_record(i) for i in found] for w, found in kept.by_worker.items()},
            "alerts": self._encode_published(kept.published),
            "next_deadline": kept.next_deadline,
            "settled": kept.settled,
        })

    def _published(self, alerts: list[bytes]) -> MappingProxyType:
        return MappingProxyType({f.alert_id: f for f in (from_record(self.alert.decode(a)) for a in alerts)})

    def _encode_published(self, published) -> list[bytes]:
        return [self.alert.encode(to_record(f)) for _, f in sorted(published.items())]


def incident_record(incident: Incident) -> dict:
    return {"key": incident.key, "kind": incident.kind, "at": incident.at,
            "subjects": [{"kind": s.kind, "id": s.id} for s in incident.subjects], "evidence": list(incident.evidence)}


def incident_of(record: dict) -> Incident:
    return Incident(record["key"], record["kind"], record["at"],
                    tuple(Subject(s["kind"], s["id"]) for s in record["subjects"]), tuple(record["evidence"]))
