"""An alert as the rules see it (DESIGN §5): a ``Finding``, its deterministic id, and what to publish.

A rule returns the findings that hold *now* — for a set of events, the reference data and a
watermark — never a log of what it said before. Two consequences:

* ``alert_id`` is a hash of the rule, the subject and the cause's identity (e.g. the departure
  event's key), so the same cause gives the same id whatever the arrival order, on a restart and
  on a replay.
* What to publish is the difference between the findings the stream last published for a subject
  and the findings now (``changes``). A finding whose id is no longer among them was *withdrawn*:
  the events or reference data that raised it turned out otherwise (a certificate reported with
  a date before the departure, a licence record published late). It is published once more as
  RESOLVED with ``details["withdrawn"] = "true"`` and ``resolved_at = opened_at`` (it never held),
  so a watcher who saw it open sees it closed. A replay from scratch, which never saw the
  interim, never raises it at all.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

INFO, WARNING, CRITICAL = "INFO", "WARNING", "CRITICAL"
OPEN, RESOLVED = "OPEN", "RESOLVED"
WORKER, P3MI, EMPLOYER, COUNTRY = "WORKER", "P3MI", "EMPLOYER", "COUNTRY"
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Subject:
    kind: str  # WORKER, P3MI, EMPLOYER or COUNTRY
    id: str  # worker id, P3MI source id, employer name or country code


@dataclass(frozen=True)
class Finding:
    """One alert as it stands; ``details`` are sorted (name, text) pairs, ``evidence`` sorted event keys."""

    alert_id: str
    rule: str
    severity: str
    subject: Subject
    opened_at: datetime
    resolved_at: datetime | None
    message: str
    evidence: tuple[str, ...]
    details: tuple[tuple[str, str], ...] = ()

    @property
    def status(self) -> str:
        return OPEN if self.resolved_at is None else RESOLVED

    @property
    def withdrawn(self) -> bool:
        return dict(self.details).get(WITHDRAWN) == "true"


def alert_id(rule: str, subject: Subject, cause: Iterable[str]) -> str:
    """``A-`` and 20 hex digits of a hash of rule, subject and cause: the same cause, the same id.

    The cause is a few strings that name what the alert is about (an event key, a case id, a
    country and sector) — never more, so that a later report of other facts keeps the id.
    """
    text = "\x1f".join((rule, subject.kind, subject.id, *cause))
    return "A-" + hashlib.blake2b(text.encode(), digest_size=10, person=b"pantau-alert").hexdigest()


def finding(
    rule: str,
    severity: str,
    subject: Subject,
    cause: Iterable[str],
    opened_at: datetime,
    message: str,
    evidence: Iterable[str],
    resolved_at: datetime | None = None,
    details: Mapping[str, object] | None = None,
) -> Finding:
    """A ``Finding`` with its id computed from ``cause`` and its evidence and details in canonical order."""
    return Finding(
        alert_id=alert_id(rule, subject, cause),
        rule=rule,
        severity=severity,
        subject=subject,
        opened_at=opened_at,
        resolved_at=resolved_at,
        message=message,
        evidence=tuple(sorted(set(evidence))),
        details=tuple(sorted((name, str(value)) for name, value in (details or {}).items())),
    )


def changes(published: Mapping[str, Finding], current: Iterable[Finding]) -> list[Finding]:
    """What to publish for one subject: findings new or changed since ``published`` (by id), and the
    published ones no longer found, withdrawn. Sorted by id; empty when nothing changed."""
    now = {f.alert_id: f for f in current}
    out = [f for alert, f in now.items() if published.get(alert) != f]
    out += [withdraw(f) for alert, f in published.items() if alert not in now and not f.withdrawn]
    return sorted(out, key=lambda f: f.alert_id)


def withdraw(f: Finding) -> Finding:
    """``f`` closed because its cause turned out never to hold (see the module doc)."""
    details = dict(f.details) | {WITHDRAWN: "true"}
    return replace(
        f, resolved_at=f.opened_at, message=f"withdrawn: {f.message}", details=tuple(sorted(details.items()))
    )


def to_record(f: Finding) -> dict:
    """The ``schemas/alert`` record of a finding."""
    return {
        "alert_id": f.alert_id,
        "rule": f.rule,
        "severity": f.severity,
        "subject": {"kind": f.subject.kind, "id": f.subject.id},
        "status": f.status,
        "opened_at": f.opened_at,
        "resolved_at": f.resolved_at,
        "message": f.message,
        "evidence": list(f.evidence),
        "details": dict(f.details),
    }


def from_record(record: dict) -> Finding:
    """The finding a ``schemas/alert`` record holds: ``to_record``'s inverse, for what the stream kept."""
    return Finding(
        alert_id=record["alert_id"],
        rule=record["rule"],
        severity=record["severity"],
        subject=Subject(record["subject"]["kind"], record["subject"]["id"]),
        opened_at=record["opened_at"],
        resolved_at=record["resolved_at"],
        message=record["message"],
        evidence=tuple(record["evidence"]),
        details=tuple(sorted(record["details"].items())),
    )
