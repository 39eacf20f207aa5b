"""What the Redis alert channels hold for one alert, and which record of an alert id wins: plain data, no Redis.

The alerts topic carries, per alert id, the records the rules published (OPEN, RESOLVED, withdrawn),
and may carry one again or an older one after it: a redelivered batch, a producer re-processing
from an older offset, a partition moving between workers. Redis keeps, per alert id, the record
with the highest ``precedence`` among all it has seen — a maximum, so the result depends on the
*set* of records, never on their order or repeats: a replay changes nothing, and ``pantau redis
rebuild`` (every record of the topic, once more) gives exactly the live result.

Key layout, every key under the pipeline's prefix (``PANTAU_TOPIC_PREFIX``), in the ``alerts``
namespace so that the worker projection's ``idx:`` sets never mix with these:

* ``alerts:alert:{alert_id}`` — hash: the flat fields below and ``record``, the alert as JSON.
* ``alerts:idx:{status|rule|subject}:{value}`` — set of alert ids, e.g. ``alerts:idx:status:OPEN``.
* ``alerts:stream`` — Redis Stream, capped: one entry per change of an alert's *shown* status.
* pub/sub channels ``alerts:{INFO|WARNING|CRITICAL}`` (not keys): the same changes, by severity.

Records carry no personal data in clear (the rules mask what a message must mention), so the hash
is the record as it is; nothing here unmasks or adds any.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from domain.alerts import CRITICAL, INFO, OPEN, RESOLVED, WARNING, WITHDRAWN
from domain.identity import review
from domain.rules import WORKER_RULES, spike

# DESIGN §5's rules, and identity resolution's review alert.
RULES = (*WORKER_RULES, spike.RULE, review.RULE)
STATUSES = (OPEN, RESOLVED)
SEVERITIES = (INFO, WARNING, CRITICAL)
# A withdrawn alert is RESOLVED on the record; to an operator it is another thing: "it never held".
SHOWN_WITHDRAWN = "WITHDRAWN"
# Each is also a field of the alert's hash: the hash remembers which sets the alert is in.
INDEXES = ("status", "rule", "subject")
NAMESPACE = "alerts"
STREAM_MAXLEN = 10_000  # entries kept in the stream, approximately (XADD MAXLEN ~)

_STAGES = {OPEN: 0, RESOLVED: 1, SHOWN_WITHDRAWN: 2}
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def document(record: Mapping) -> dict:
    """The alert as JSON (what the API serves, the hash's ``record``, stream entries): the Avro
    record with times as ISO 8601 in UTC."""
    return {
        "alert_id": record["alert_id"],
        "rule": record["rule"],
        "severity": record["severity"],
        "subject": {"kind": record["subject"]["kind"], "id": record["subject"]["id"]},
        "status": record["status"],
        "opened_at": _iso(record["opened_at"]),
        "resolved_at": _iso(record["resolved_at"]) if record["resolved_at"] else None,
        "message": record["message"],
        "evidence": list(record["evidence"]),
        "details": dict(sorted(record["details"].items())),
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def canonical(alert: Mapping) -> str:
    """One text per document, whatever the order of its keys: the hash's ``record`` and what a
    conditional write compares."""
    return json.dumps(alert, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def shown(alert: Mapping) -> str:
    """The status an operator sees: OPEN, RESOLVED or WITHDRAWN."""
    return SHOWN_WITHDRAWN if alert["details"].get(WITHDRAWN) == "true" else alert["status"]


def precedence(alert: Mapping) -> tuple:
    """Which of two records of one alert id is the later word, higher first compared first.

    1. More evidence. For given reference data the producer's knowledge only grows (events
       accumulate, the watermark advances), and every rule's evidence is the events behind the
       finding, so a later record never lists fewer; a re-delivered or replayed interim record lists
       at most as many as what followed it. A SPIKE run that a late incident re-opens lists more.
    2. Stage: OPEN < RESOLVED < withdrawn. A resolution or withdrawal adds an answer, never takes
       one away; the re-emitted OPEN of a replay comes after its RESOLVED with the same evidence.
    3. The later ``resolved_at`` (a SPIKE run a late incident lengthened), then the earlier
       ``opened_at`` (a late report of an earlier cause: the opening moves back, never forward).
    4. The document's text: any two different records are ordered, so the maximum is one record.

    Not ordered right, by design (the topic carries no revision to tell them apart): an alert that
    changes without new evidence against its latest stage — re-raised after a withdrawal by a
    reverted reference record or a re-corrected birth date, or a reference correction that drops
    evidence from an open alert. Redis keeps the earlier word there; the topic has the later one.
    """
    resolved = datetime.fromisoformat(alert["resolved_at"]) if alert["resolved_at"] else _EARLIEST
    opened = datetime.fromisoformat(alert["opened_at"])
    return len(alert["evidence"]), _STAGES[shown(alert)], resolved, -opened.timestamp(), canonical(alert)


def latest(alerts: Iterable[Mapping]) -> dict[str, Mapping]:
    """Alert id → the record of highest precedence among ``alerts``."""
    out: dict[str, Mapping] = {}
    for alert in alerts:
        held = out.get(alert["alert_id"])
        if held is None or precedence(alert) > precedence(held):
            out[alert["alert_id"]] = alert
    return out


def memberships(alert: Mapping) -> dict[str, str]:
    """index → value: the sets the alert is in."""
    return {"status": alert["status"], "rule": alert["rule"], "subject": alert["subject"]["id"]}


def alert_fields(alert: Mapping) -> dict[str, str]:
    """The alert's hash: strings only, an absent value an absent field."""
    fields = {
        "alert_id": alert["alert_id"],
        "rule": alert["rule"],
        "severity": alert["severity"],
        "subject_kind": alert["subject"]["kind"],
        "subject": alert["subject"]["id"],
        "status": alert["status"],
        "shown": shown(alert),
        "opened_at": alert["opened_at"],
        "resolved_at": alert["resolved_at"],
        "message": alert["message"],
        "record": canonical(alert),
    }
    return {name: value for name, value in fields.items() if value is not None}


@dataclass(frozen=True)
class Update:
    """What writing ``alert`` over the stored record does in Redis."""

    alert: Mapping
    fields: dict[str, str]  # the hash, replaced whole
    leave: dict[str, str]  # index → value: sets to leave
    join: dict[str, str]  # index → value: sets to be in (SADD of a set it is in already changes nothing)
    announce: bool  # the shown status changed: a stream entry and a message on the severity's channel


def update(stored: Mapping | None, incoming: Mapping) -> Update | None:
    """The write that makes Redis hold ``incoming``, or None when the stored record takes precedence
    (or is the same): re-delivered and older records change nothing."""
    if stored is not None and precedence(stored) >= precedence(incoming):
        return None
    joined = memberships(incoming)
    left = {index: value for index, value in memberships(stored).items() if joined[index] != value} if stored else {}
    announce = stored is None or shown(stored) != shown(incoming)
    return Update(incoming, alert_fields(incoming), left, joined, announce)


def entry(alert: Mapping) -> dict[str, str]:
    """A stream entry (and the pub/sub message's content): the shown status and the document."""
    return {"shown": shown(alert), "alert": canonical(alert)}


def record_problem(record: Mapping) -> str | None:
    """Why a decoded alert record cannot be shown (a value outside the vocabulary), or None."""
    for name, allowed in (("status", STATUSES), ("severity", SEVERITIES)):
        if record[name] not in allowed:
            return f"alert {record['alert_id']}: {name} must be one of {', '.join(allowed)}, not {record[name]!r}"
    return None


def filters_problem(status: str | None, rule: str | None) -> str | None:
    """Why a query's filters cannot match anything, as one line; None when they are fine."""
    if status is not None and status not in STATUSES:
        return f"status must be one of {', '.join(STATUSES)}, not {status!r}"
    if rule is not None and rule not in RULES:
        return f"unknown rule {rule!r}; expected one of {', '.join(RULES)}"
    return None


def query_sets(status: str | None, rule: str | None, subject_id: str | None) -> tuple[str, list[tuple[str, str]]]:
    """The index sets a query reads, as (operation, [(index, value)]): the intersection of the
    filters' sets, or without filters the union of the status sets (every alert has a status)."""
    given = [(index, value) for index, value in (("status", status), ("rule", rule), ("subject", subject_id))
             if value is not None]
    return ("inter", given) if given else ("union", [("status", s) for s in STATUSES])


def matches(alert: Mapping, status: str | None, rule: str | None, subject_id: str | None = None) -> bool:
    """Whether ``alert`` passes the filters: what the index sets answer, for one alert in hand."""
    wanted = {"status": status, "rule": rule, "subject": subject_id}
    return all(value is None or memberships(alert)[index] == value for index, value in wanted.items())


def in_order(alerts: Iterable[Mapping]) -> list[Mapping]:
    """Alerts as listed: oldest opening first, by id among equals."""
    return sorted(alerts, key=lambda a: (datetime.fromisoformat(a["opened_at"]), a["alert_id"]))
