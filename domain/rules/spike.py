"""SPIKE — early terminations, deportations or cases counted against one employer, P3MI or country,
far above that subject's own baseline (DESIGN §5).

The model, per subject and incident kind (``domain.rules.incidents``), all by event time:

* **count** — incidents in the sliding window ``(t − spike_window, t]`` (7 days);
* **expected** — the subject's own rate over the ``spike_baseline`` (8 weeks) before that window,
  scaled to one window: ``incidents in the baseline × window / baseline span``. While the
  pipeline has seen less than 8 weeks before the window the span is what it has seen (from
  ``since``, its earliest event time), and with less than ``spike_min_history`` (14 days) there
  is no baseline yet and no SPIKE. Never below ``spike_floor`` (0.5 a window): a subject with no
  history is quiet, not silent;
* **limit** — the least count reached with probability at most ``spike_p_value`` (1e-5) by a
  subject whose rate is only known from its baseline: the negative binomial (Gamma–Poisson)
  predictive of one window's count after that many incidents in that many windows. It is a
  Poisson limit widened for a short or thin baseline — with a plain Poisson limit the noise of
  the estimate itself raised false SPIKEs on steady traffic;
* **spiking** — count ≥ limit and count ≥ ``spike_min_count`` (5).

It is evaluated at the instants the window's count changes: at each incident (the window gains
one) and, once the watermark has passed them, when incidents leave the window (``at +
spike_window``). A subject spikes at an instant when any kind does. One alert per run of spiking
instants: OPEN at the first (the incident that crossed the limit — as soon as it is in, even
ahead of the watermark), RESOLVED at the first instant the watermark has passed at which no kind
spikes — the rate back to normal. Message: "P3MI-0042: 14 early terminations in 7
days, expected 2.1 (limit 12)", figures of the kind furthest above its limit at the opening.
Severity WARNING. Evidence: the events behind the incidents in that window.

Guarantee: the findings are a function of the set of incidents (by key), ``since`` and the
watermark — arrival order never matters. A late incident changes the counts of the windows it
falls in, so it can open an alert in the past, move a run's opening (a new id; the old one is
withdrawn, ``domain.alerts``) or lengthen a run. The alert id is the subject and the run's opening instant.
With ``spike_settle_after`` set (off by default) that holds for incidents up to it behind the watermark:
the instants before are settled, and the stream forgets what only they needed (``domain.subject_alerts``).
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from domain.alerts import WARNING, Finding, Subject, finding
from domain.rules.context import Context
from domain.rules.incidents import CASE, DEPORTATION, EARLY_TERMINATION, Incident
from domain.rules.thresholds import Thresholds

RULE = "SPIKE"
_NOUNS = {EARLY_TERMINATION: "early terminations", DEPORTATION: "deportations", CASE: "cases"}


@dataclass(frozen=True)
class Reading:
    """One kind's figures at an instant."""

    kind: str
    count: int
    expected: float
    limit: int

    @property
    def spiking(self) -> bool:
        return self.count >= self.limit

    def message(self, subject: Subject, window_days: int) -> str:
        return (f"{subject.id}: {self.count} {_NOUNS[self.kind]} in {window_days} days,"
                f" expected {self.expected:.1f} (limit {self.limit})")


def findings(subject: Subject, incidents: Iterable[Incident], since: datetime, context: Context,
             settled: datetime | None = None, carried: Finding | None = None) -> list[Finding]:
    """The SPIKE alerts of ``subject`` from the incidents counted against it (any order, repeated keys once).

    ``settled``: the instants up to it are decided for good (``domain.subject_alerts`` forgets them);
    only later instants are judged, and ``carried`` is the run open at ``settled``, if any."""
    series = _Series.of(incidents, context.thresholds)
    out, run = [], None if carried is None else replace(carried, resolved_at=None)
    for instant in series.instants(context.watermark, settled):
        readings = [r for r in series.readings(instant, since) if r.spiking]
        if readings and run is None:
            worst = max(readings, key=lambda r: (r.count / r.limit, r.kind))
            run = _finding(subject, instant, worst, series.evidence(worst.kind, instant), context.thresholds)
        elif not readings and run is not None and context.passed(instant):
            out.append(replace(run, resolved_at=instant))
            run = None
    if run is not None:
        out.append(run)
    return out


def needed_after(settled: datetime, thresholds: Thresholds) -> datetime:
    """Incidents at or before this instant count in no window or baseline of an instant after ``settled``."""
    return settled - thresholds.spike_window - thresholds.spike_baseline


def next_deadline(incidents: Iterable[Incident], context: Context) -> datetime | None:
    """The earliest instant after the watermark at which an open SPIKE of the subject can resolve without
    a new incident: an incident's own time (the watermark reaching it) or its leaving the window."""
    window = context.thresholds.spike_window
    instants = [t for i in incidents for t in (i.at, i.at + window) if not context.passed(t)]
    return min(instants, default=None)


def _finding(subject: Subject, opened_at: datetime, reading: Reading, evidence: tuple[str, ...],
             thresholds: Thresholds) -> Finding:
    """An open run; the instant the rate is back to normal resolves it."""
    days = thresholds.spike_window.days
    return finding(
        RULE, WARNING, subject, (opened_at.isoformat(),), opened_at, reading.message(subject, days), evidence,
        details={"kind": reading.kind, "observed": reading.count, "expected": f"{reading.expected:.2f}",
                 "limit": reading.limit, "window_days": days},
    )


@dataclass(frozen=True)
class _Series:
    """A subject's incidents, per kind, sorted by event time."""

    by_kind: dict[str, list[Incident]]
    times: dict[str, list[datetime]]  # per kind, the incidents' event times: what the windows count
    thresholds: Thresholds

    @classmethod
    def of(cls, incidents: Iterable[Incident], thresholds: Thresholds) -> _Series:
        distinct = {i.key: i for i in sorted(incidents, key=lambda i: (i.key, i.at))}
        by_kind: dict[str, list[Incident]] = {}
        for incident in sorted(distinct.values(), key=lambda i: (i.at, i.key)):
            by_kind.setdefault(incident.kind, []).append(incident)
        times = {kind: [i.at for i in kind_incidents] for kind, kind_incidents in by_kind.items()}
        return cls(by_kind, times, thresholds)

    def instants(self, watermark: datetime | None, settled: datetime | None) -> list[datetime]:
        """Where a window's count changes after ``settled``: every incident, and every exit from the window
        up to the watermark."""
        window = self.thresholds.spike_window
        every = [t for times in self.times.values() for t in times]
        leaving = [t + window for t in every if watermark is not None and t + window <= watermark]
        return sorted(t for t in {*every, *leaving} if settled is None or t > settled)

    def readings(self, t: datetime, since: datetime) -> list[Reading]:
        th = self.thresholds
        start = t - th.spike_window
        span = min(th.spike_baseline, start - since)
        if span < th.spike_min_history:
            return []
        out = []
        for kind, times in self.times.items():
            count = _between(times, start, t)
            windows = span / th.spike_window
            # Never fewer than the floor rate would give: a short or empty history reads as quiet, not silent.
            shape = max(_between(times, start - span, start), th.spike_floor * windows)
            limit = predictive_limit(shape, windows, th.spike_p_value)
            out.append(Reading(kind, count, shape / windows, max(th.spike_min_count, limit)))
        return out

    def evidence(self, kind: str, t: datetime) -> tuple[str, ...]:
        start = t - self.thresholds.spike_window
        return tuple(key for i in self.by_kind[kind] if start < i.at <= t for key in i.evidence)


def _between(times: list[datetime], after: datetime, until: datetime) -> int:
    """How many of the sorted ``times`` are in ``(after, until]``."""
    return bisect.bisect_right(times, until) - bisect.bisect_right(times, after)


@lru_cache(maxsize=4096)
def predictive_limit(shape: float, windows: float, p_value: float) -> int:
    """The least n with P(X ≥ n) ≤ ``p_value`` for the count X of one window, after ``shape`` incidents
    in ``windows`` windows: negative binomial, a Poisson whose mean is only known from that sample."""
    log_p, log_q = math.log(windows / (windows + 1)), math.log(1 / (windows + 1))
    tail, n = 1.0, 0  # tail = P(X ≥ n)
    while tail > p_value:
        tail -= math.exp(math.lgamma(n + shape) - math.lgamma(shape) - math.lgamma(n + 1) + shape * log_p + n * log_q)
        n += 1
    return n
