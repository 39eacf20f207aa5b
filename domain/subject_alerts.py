"""What the stream keeps per SPIKE subject (employer, P3MI, country), and one re-evaluation of it:
the functional core of ``agents.spikes``.

Workers send their incidents against a subject whenever those change (``domain.worker_alerts``);
the subject keeps the latest list per worker — so an incident a worker no longer yields (a
corrected return reason, a merged-away worker) drops out — and ``domain.rules.spike`` judges the
union. Like a worker's row, it keeps what was last published (for ``changes``) and its next
deadline (the timer index is rebuilt from it on start).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from domain.alerts import Finding, Subject, changes
from domain.rules import spike
from domain.rules.context import Context
from domain.rules.incidents import Incident


def _none() -> Mapping:
    return MappingProxyType({})


@dataclass(frozen=True)
class SubjectKept:
    by_worker: Mapping[str, tuple[Incident, ...]] = field(default_factory=_none)  # worker id → their incidents here
    published: Mapping[str, Finding] = field(default_factory=_none)  # alert id → what was last published under it
    next_deadline: datetime | None = None

    def with_worker(self, worker_id: str, incidents: Iterable[Incident]) -> SubjectKept:
        """The worker's incidents against the subject are now ``incidents`` (none: the worker drops out)."""
        by_worker = {w: i for w, i in self.by_worker.items() if w != worker_id}
        incidents = tuple(sorted(incidents, key=lambda i: i.key))
        if incidents:
            by_worker[worker_id] = incidents
        return replace(self, by_worker=MappingProxyType(by_worker))

    @property
    def incidents(self) -> list[Incident]:
        return [i for incidents in self.by_worker.values() for i in incidents]


def reevaluate(kept: SubjectKept, subject: Subject, since: datetime, context: Context) -> tuple[SubjectKept, list[Finding]]:
    """The subject's SPIKE alerts now, against what was published: the row to keep and what to publish."""
    publish = changes(kept.published, spike.findings(subject, kept.incidents, since, context))
    published = MappingProxyType(dict(kept.published) | {f.alert_id: f for f in publish})
    return replace(kept, published=published, next_deadline=spike.next_deadline(kept.incidents, context)), publish
