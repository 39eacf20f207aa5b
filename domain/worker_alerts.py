"""What the stream keeps per worker for their alerts, and one re-evaluation of a worker: the functional
core of ``streams.alerting`` (docs/alerts.md, "In the stream").

``Kept`` is the worker's row: the alerts last published for them (``changes`` needs them, withdrawn
ones included so they are withdrawn once), their next deadline (the timer index is rebuilt from it
on start), the reference records their findings read with the version read (a record changed while
the stream was down is found on start), and the incidents they last contributed to SPIKE (a subject
must hear when a worker no longer yields one). ``reevaluate`` is a function of the row, the worker's
events, the context and the reference versions, so a redelivered batch or a restart evaluates to
the same row and publishes nothing new.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from domain.alerts import OPEN, Finding, Subject, changes, withdraw
from domain.rules import evaluate
from domain.rules.context import Context
from domain.rules.incidents import Incident, incidents
from domain.rules.worker_history import WorkerHistory

ReferenceKey = tuple[str, str]  # (reference kind, the record's key on its topic)


def _none() -> Mapping:
    return MappingProxyType({})


@dataclass(frozen=True)
class Kept:
    published: Mapping[str, Finding] = field(default_factory=_none)  # alert id → what was last published under it
    next_deadline: datetime | None = None
    reference: Mapping[ReferenceKey, str] = field(default_factory=_none)  # the records the findings read → their version then ("" absent)
    incidents: tuple[Incident, ...] = ()  # sorted by key

    @property
    def open_rules(self) -> list[str]:
        """The rules with an alert open as last published: the state's ``open_alerts`` between evaluations."""
        return sorted({f.rule for f in self.published.values() if f.status == OPEN})

    def stale(self, versions: Mapping[ReferenceKey, str]) -> bool:
        """True when a reference record the findings read has another version now: re-evaluate."""
        return any(versions.get(key, "") != version for key, version in self.reference.items())


EMPTY = Kept()


@dataclass(frozen=True)
class Outcome:
    kept: Kept
    publish: list[Finding]  # new, changed and withdrawn alerts, by id
    state: dict | None  # the worker's state with its open alerts (None when the worker is gone)
    incidents_by_subject: dict[Subject, tuple[Incident, ...]]  # subjects whose incidents from the worker changed → theirs now


def reevaluate(kept: Kept, events: Iterable[dict], worker_id: str, context: Context,
               versions: Mapping[ReferenceKey, str]) -> Outcome:
    """The worker's alerts now, against what was published for them: the ``What the stream calls``
    sequence of docs/alerts.md as one step."""
    worker = WorkerHistory.of(events, worker_id)
    evaluation = evaluate(worker, context)
    publish = changes(kept.published, evaluation.findings)
    published = dict(kept.published) | {f.alert_id: f for f in publish}
    now = tuple(sorted(incidents(worker), key=lambda i: i.key))
    row = Kept(
        MappingProxyType(published),
        evaluation.next_deadline,
        MappingProxyType({key: versions.get(key, "") for key in worker.reference_keys}),
        now,
    )
    state = {**worker.state, "open_alerts": evaluation.open_rules}
    return Outcome(row, publish, state, _changed_subjects(kept.incidents, now))


def forget(kept: Kept) -> Outcome:
    """A worker id that no longer exists (merged into another): every alert still standing is withdrawn,
    and every subject hears the worker contributes no incident any more."""
    publish = sorted((withdraw(f) for f in kept.published.values() if not f.withdrawn), key=lambda f: f.alert_id)
    return Outcome(EMPTY, publish, None, _changed_subjects(kept.incidents, ()))


def _changed_subjects(before: tuple[Incident, ...], now: tuple[Incident, ...]) -> dict[Subject, tuple[Incident, ...]]:
    old, new = _by_subject(before), _by_subject(now)
    return {subject: new.get(subject, ()) for subject in old.keys() | new.keys() if old.get(subject) != new.get(subject)}


def _by_subject(found: Iterable[Incident]) -> dict[Subject, tuple[Incident, ...]]:
    grouped: dict[Subject, list[Incident]] = {}
    for incident in found:
        for subject in incident.subjects:
            grouped.setdefault(subject, []).append(incident)
    return {subject: tuple(group) for subject, group in grouped.items()}
