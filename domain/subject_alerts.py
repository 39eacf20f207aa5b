"""What the stream keeps per SPIKE subject (employer, P3MI, country), and one re-evaluation of it:
the functional core of ``agents.spikes``.

Workers send their incidents against a subject whenever those change (``domain.worker_alerts``);
the subject keeps the latest list per worker — so an incident a worker no longer yields (a
corrected return reason, a merged-away worker) drops out — and ``domain.rules.spike`` judges the
union. Like a worker's row, it keeps what was last published (for ``changes``) and its next
deadline (the timer index is rebuilt from it on start).

What it keeps can be bounded (``spike_settle_after``; off by default, ``domain.rules.thresholds`` says
why): instants more than ``spike_settle_after`` behind the watermark its
incidents were sent at are *settled*. Their runs are decided for good — a run that ended before is forgotten (it was
published), the run still open there is carried on — and incidents that no window or baseline
after them counts are dropped, on the way in too. So an incident sent more than
``spike_settle_after`` behind the watermark no longer changes a SPIKE (a report that late, or one
only a late identity merge attributes); otherwise the result is as if the subject kept everything.
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
    settled: datetime | None = None  # instants up to here are decided for good

    def with_workers(self, updates: Mapping[str, Iterable[Incident]]) -> SubjectKept:
        """Each worker's incidents against the subject are now ``updates[worker]`` (none: that worker
        drops out); one copy of the map, however many workers a batch brought."""
        by_worker = dict(self.by_worker)
        for worker_id, incidents in updates.items():
            incidents = tuple(sorted(incidents, key=lambda i: i.key))
            if incidents:
                by_worker[worker_id] = incidents
            else:
                by_worker.pop(worker_id, None)
        return replace(self, by_worker=MappingProxyType(by_worker))

    @property
    def incidents(self) -> list[Incident]:
        return [i for incidents in self.by_worker.values() for i in incidents]

    @property
    def carried(self) -> Finding | None:
        """The published run open at ``settled``: judging goes on from it."""
        if self.settled is None:
            return None
        return next((f for f in self.published.values() if not f.withdrawn and f.opened_at <= self.settled
                     and (f.resolved_at is None or f.resolved_at > self.settled)), None)

    def settle(self, at: datetime, context: Context) -> SubjectKept:
        """Instants up to ``at`` decided for good: forget the runs that ended and the incidents only they needed."""
        settled = at if self.settled is None else max(self.settled, at)
        needed_after = spike.needed_after(settled, context.thresholds)
        by_worker = {w: kept for w, found in self.by_worker.items()
                     if (kept := tuple(i for i in found if i.at > needed_after))}
        published = {a: f for a, f in self.published.items() if f.resolved_at is None or f.resolved_at > settled}
        return replace(self, by_worker=MappingProxyType(by_worker), published=MappingProxyType(published),
                       settled=settled)


def reevaluate(kept: SubjectKept, subject: Subject, since: datetime | None, context: Context,
               sent_at: datetime | None = None) -> tuple[SubjectKept, list[Finding]]:
    """The subject's SPIKE alerts now, against what was published: the row to keep and what to publish.

    ``since``: where the pipeline's observation starts, None while this process has seen no
    partition's watermark — a process can be handed another's incidents before the watermarks of
    the events behind them reach it. Then no baseline can be judged (and judging none would
    withdraw what is open): the incidents are kept, nothing is published, and the deadline is the
    earliest incident's time, so the timer judges the subject once the watermark gets there.

    ``sent_at``: the watermark when the incidents that prompted this were sent (none for a timer).
    Settling goes by it rather than by ``context.watermark``: replaying a backlog, the lifecycle
    (which moves the watermark) runs far ahead of the incidents topic, so an incident still on its
    way can be months behind the watermark the subject is judged at, but not behind its sender's."""
    if since is None:
        return replace(kept, next_deadline=min((i.at for i in kept.incidents), default=None)), []
    if kept.settled is not None:
        kept = kept.settle(kept.settled, context)  # a late worker may have sent incidents already forgotten
    current = spike.findings(subject, kept.incidents, since, context, kept.settled, kept.carried)
    publish = changes(kept.published, current)
    published = MappingProxyType(dict(kept.published) | {f.alert_id: f for f in publish})
    kept = replace(kept, published=published, next_deadline=spike.next_deadline(kept.incidents, context))
    settle_after = context.thresholds.spike_settle_after
    if settle_after is not None and sent_at is not None and context.watermark is not None:
        kept = kept.settle(min(sent_at, context.watermark) - settle_after, context)
    return kept, publish
