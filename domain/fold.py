"""A worker's state as a function of the *set* of their events (DESIGN §4).

``fold(events, worker_id)`` returns the ``worker_state`` record (the exact shape of
``schemas/worker_state``). The same events in any arrival order, with any duplicates, give an
equal state and equal Avro bytes, so a stream can re-fold on every event and a replay, a retry
or a late report can never leave a trace of the order it came in.

Which events, in which order
----------------------------
* An event is its ``SOURCEID:EVENTID`` (``event_key``). The same key twice is one event even
  when the copies differ (a retry edited by the partner): the copy first in the fold order
  wins, and between copies of equal time and type the one whose canonical form sorts first,
  so the choice never depends on arrival.
* Fold order: ``occurred_at``; then the journey rank of the type (the order of
  ``vocabulary.EVENT_TYPES``: TRAINING_COMPLETED, REGISTERED, DEPARTED, PLACED,
  PLACEMENT_UPDATED, CASE_REPORTED, CASE_RESOLVED, RETURNED), so that a departure and a
  placement stamped with the same instant are read departure first; then ``event_key``. That
  is a total order, and the events are applied one by one in it. ``history`` gives that list;
  ``with_event`` adds one event to it, which is what a stream keeps per worker.

Status: the stage of the last stage-bearing event, except that pre-departure reports
(TRAINING_COMPLETED → TRAINED, REGISTERED → REGISTERED) do not move a worker who is abroad
(status DEPARTED or PLACED): a certificate or a registration stamped while the worker is
placed is paperwork, not a homecoming. DEPARTED → DEPARTED; PLACED and PLACEMENT_UPDATED →
PLACED (an embassy reporting a contract change is reporting a placement); RETURNED →
RETURNED; cases leave the status alone.

Episodes, one per journey, oldest first; ``current_episode`` is the last. An episode is a
*prospect* (registered, nothing more), *abroad* (departed or placed, not returned) or *closed*
(returned).
* REGISTERED, when the worker is not abroad, makes the current episode a prospect — a new one,
  or the current prospect with the later registration's values (one prospect at a time:
  registering again replaces the plan). The latest registration since the last departure is
  remembered, abroad or not: it is the one a departure may inherit.
* DEPARTED opens a new episode; it inherits the latest registration when they are the same job
  (the same P3MI and job order when the departure names one, else the same destination):
  taking over the prospect, or — for a registration made while abroad — copying it. A prospect
  the departure does not match stays behind, never departed; a journey with no return on record
  stays behind with returned_on null. p3mi_id is the departing P3MI; departed_on the event's date.
* PLACED and PLACEMENT_UPDATED belong to the current episode when it is abroad, or a prospect
  in the same country; otherwise they open an episode with no departure on record (an
  embassy-only, non-procedural worker). Both set the country (when they name one: the embassy
  reports where the worker is, which outranks where the P3MI said it sent them), employer_name and
  contract_end; PLACED also sets placed_on (contract_start, else the event's date) and fills a
  missing sector.
* RETURNED closes the current episode when it is abroad or a prospect in the same country.
  When the current episode is already closed in the same country with a return within
  ``SAME_RETURN_WITHIN``, it is that return reported again (by another source, or resent under
  a new id): it corroborates. Otherwise it opens and closes an episode (a return from a country
  never departed to on record). The first return in the order sets returned_on and
  return_reason; a return a P3MI reports names the P3MI when the episode has none.
* A report never erases: a missing (null) value leaves the field as it was. ``reported_by``
  maps each stage to the sorted source kinds that reported it for that episode.

Everything else: identifiers are the union (local ids as ``SOURCEID:LOCALID``); full_name,
date_of_birth, sex and origin_regency the latest value in the order; certificates one per
certificate number (the latest report), by issue date then number; social_security_no from the
latest departure that carried one; open_cases are the reported cases (their first report) whose
case_id no CASE_RESOLVED names, whatever the order; last_event_at the latest event time;
event_ids and event_count the distinct events; source_records what each source kind's own records
among them say (``domain.source_records``). open_alerts and merged_from belong to the rules and
identity resolution: passed in, kept as sorted sets.

Dates taken from event times (departed_on, placed_on and returned_on without a payload date)
are UTC dates: the partner's offset does not survive into the in-memory event.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone

from domain import vocabulary as v
from domain.lifecycle import event_key
from domain.source_records import source_records

SAME_RETURN_WITHIN = timedelta(days=30)
# Statuses (schema ``worker_state``): the stage names; all but TRAINED are spelt as the event type that sets them.
TRAINED = "TRAINED"

_RANK = {event_type: rank for rank, event_type in enumerate(v.EVENT_TYPES)}
_IDENTITY_FIELDS = ("full_name", "date_of_birth", "sex", "origin_regency")
ABROAD_STATUSES = frozenset({v.DEPARTED, v.PLACED})
_PROSPECT, _ABROAD, _CLOSED = "PROSPECT", "ABROAD", "CLOSED"
_JOURNEY_EVENTS = frozenset({v.DEPARTED, v.PLACED, v.PLACEMENT_UPDATED, v.RETURNED})


def fold(
    events: Iterable[dict], worker_id: str, *, open_alerts: Iterable[str] = (), merged_from: Iterable[str] = ()
) -> dict:
    """The state of ``worker_id`` from their events (any order, any duplicates; at least one)."""
    return _fold(events, worker_id, open_alerts, merged_from, None)


@dataclass(frozen=True)
class Step:
    """One event of a ``history`` and the journey it belongs to, as the fold read it (for the rules)."""

    event: dict
    episode: int | None  # index in the state's episodes of the one the event touched; None if it touched none
    episode_after: dict | None  # that episode as it stood right after the event


def fold_steps(events: Iterable[dict], worker_id: str) -> tuple[dict, list[Step]]:
    """``fold``'s state and, in one walk, a ``Step`` per distinct event in fold order.

    DEPARTED, PLACED, PLACEMENT_UPDATED and RETURNED always touch an episode (the current one
    after them), REGISTERED when the worker is not abroad; certificates, cases and registrations
    while abroad touch none. Episodes are only ever appended, so an index stays valid.
    """
    steps: list[Step] = []
    return _fold(events, worker_id, (), (), steps), steps


def _fold(events: Iterable[dict], worker_id: str, open_alerts: Iterable[str], merged_from: Iterable[str],
          steps: list[Step] | None) -> dict:
    ordered = history(events)
    if not ordered:
        raise ValueError("a worker's state needs at least one event")
    walk = _Walk()
    for event in ordered:
        walk.identity(event)
        _TRANSITIONS[event["event_type"]](walk, event, event["payload"][1])
        if steps is not None:
            steps.append(walk.step(event))
    return walk.state(worker_id, ordered, open_alerts, merged_from)


def history(events: Iterable[dict]) -> list[dict]:
    """The distinct events in fold order: what ``fold`` reads, and what a stream keeps per worker."""
    chosen: dict[str, dict] = {}
    for event in events:
        key = event_key(event)
        kept = chosen.get(key)
        if kept is None or (event != kept and _copy_rank(event) < _copy_rank(kept)):
            chosen[key] = event
    return sorted(chosen.values(), key=_fold_rank)


def with_event(kept: list[dict], event: dict) -> list[dict] | None:
    """``kept`` (a ``history``) with ``event`` added, or None when the event changes nothing (a retry)."""
    new = history([*kept, event])
    return None if new == kept else new


def _fold_rank(event: dict) -> tuple:
    return event["occurred_at"], _RANK[event["event_type"]], event_key(event)


def _copy_rank(event: dict) -> tuple:
    # Only reached for two different copies under one key: rare, so the canonical form is cheap enough.
    return event["occurred_at"], _RANK[event["event_type"]], repr(_canonical(event))


def _canonical(value: object) -> object:
    if isinstance(value, dict):
        return tuple(sorted((name, _canonical(item)) for name, item in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(item) for item in value)
    return value


@dataclass
class _Episode:
    phase: str
    record: dict = field(
        default_factory=lambda: dict.fromkeys(
            ("country", "sector", "employer_name", "p3mi_id", "job_order_id", "departed_on", "placed_on",
             "contract_end", "returned_on", "return_reason")
        )
    )
    reported_by: dict[str, set[str]] = field(default_factory=dict)

    def put(self, name: str, value: object) -> None:
        """Set a field, unless the report is silent about it (a report never erases)."""
        if value is not None:
            self.record[name] = value

    def fill(self, name: str, value: object) -> None:
        """Set a field nobody has reported yet."""
        if self.record[name] is None:
            self.record[name] = value

    def reported(self, stage: str, event: dict) -> None:
        self.reported_by.setdefault(stage, set()).add(event["source"]["kind"])

    def output(self) -> dict:
        by_stage = {stage: sorted(self.reported_by[stage]) for stage in sorted(self.reported_by)}
        return {**self.record, "reported_by": by_stage}


@dataclass
class _Walk:
    """What the fold has gathered so far, walking the events in fold order."""

    status: str | None = None
    episodes: list[_Episode] = field(default_factory=list)
    registration: tuple[dict, dict] | None = None  # (event, payload) of the latest since the last departure
    niks: set[str] = field(default_factory=set)
    passports: set[str] = field(default_factory=set)
    local_ids: set[str] = field(default_factory=set)
    identity_fields: dict = field(default_factory=lambda: dict.fromkeys(_IDENTITY_FIELDS))
    certificates: dict[str, dict] = field(default_factory=dict)
    social_security_no: str | None = None
    cases: dict[str, dict] = field(default_factory=dict)
    resolved: set[str] = field(default_factory=set)

    @property
    def current(self) -> _Episode | None:
        return self.episodes[-1] if self.episodes else None

    @property
    def abroad(self) -> bool:
        return self.status in ABROAD_STATUSES

    def open(self, phase: str) -> _Episode:
        episode = _Episode(phase)
        self.episodes.append(episode)
        return episode

    def journey_in(self, country: str | None) -> _Episode | None:
        """The current episode, if a report from abroad about ``country`` belongs to it."""
        current = self.current
        if current is None:
            return None
        if current.phase == _ABROAD:
            return current
        if current.phase == _PROSPECT and _same_country(current.record["country"], country):
            return current
        return None

    def step(self, event: dict) -> Step:
        kind = event["event_type"]
        if kind in _JOURNEY_EVENTS or (kind == v.REGISTERED and not self.abroad):
            return Step(event, len(self.episodes) - 1, self.current.output())
        return Step(event, None, None)

    def identity(self, event: dict) -> None:
        worker = event["worker"]
        _add(self.niks, worker.get("nik"))
        _add(self.passports, worker.get("passport_no"))
        if worker.get("local_id"):
            self.local_ids.add(f"{event['source']['id']}:{worker['local_id']}")
        for name in _IDENTITY_FIELDS:
            if worker.get(name):
                self.identity_fields[name] = worker[name]

    def state(self, worker_id: str, ordered: list[dict], open_alerts: Iterable[str], merged_from: Iterable[str]) -> dict:
        episodes = [episode.output() for episode in self.episodes]
        open_cases = [case for case_id, case in self.cases.items() if case_id not in self.resolved]
        event_ids = sorted(event_key(event) for event in ordered)
        return {
            "worker_id": worker_id,
            "identifiers": {
                "niks": sorted(self.niks),
                "passports": sorted(self.passports),
                "local_ids": sorted(self.local_ids),
            },
            **self.identity_fields,
            "status": self.status,
            "current_episode": episodes[-1] if episodes else None,
            "episodes": episodes,
            "certificates": sorted(self.certificates.values(), key=_certificate_order),
            "social_security_no": self.social_security_no,
            "open_cases": sorted(open_cases, key=lambda case: (case["reported_at"], case["case_id"])),
            "open_alerts": sorted(set(open_alerts)),
            "last_event_at": ordered[-1]["occurred_at"],
            "event_count": len(event_ids),
            "event_ids": event_ids,
            "merged_from": sorted(set(merged_from)),
            "source_records": source_records(ordered),
        }


def _training_completed(walk: _Walk, event: dict, payload: dict) -> None:
    walk.certificates[payload["certificate_no"]] = {
        name: payload[name] for name in ("certificate_no", "competency", "issued_on", "valid_until")
    }
    if not walk.abroad:
        walk.status = TRAINED


def _registered(walk: _Walk, event: dict, payload: dict) -> None:
    walk.registration = event, payload
    if walk.abroad:
        return  # kept for the next departure; the journey under way is not touched
    current = walk.current
    prospect = current if current is not None and current.phase == _PROSPECT else walk.open(_PROSPECT)
    _plan(prospect, event, payload)
    walk.status = v.REGISTERED


def _plan(episode: _Episode, event: dict, payload: dict) -> None:
    """What a registration says about the journey to come."""
    episode.put("country", payload["destination_country"])
    episode.put("sector", payload["sector"])
    episode.put("employer_name", payload["employer_name"])
    episode.put("job_order_id", payload["job_order_id"])
    episode.put("p3mi_id", event["source"]["id"])
    episode.reported(v.REGISTERED, event)


def _departed(walk: _Walk, event: dict, payload: dict) -> None:
    registration = walk.registration if _same_job(walk.registration, event, payload) else None
    walk.registration = None
    current = walk.current
    if registration is not None and current is not None and current.phase == _PROSPECT:
        episode = current  # the prospect is always the latest registration: this journey
    else:
        episode = walk.open(_ABROAD)
        if registration is not None:
            _plan(episode, *registration)
    episode.phase = _ABROAD
    episode.put("country", payload["destination_country"])
    episode.put("sector", payload["sector"])
    episode.put("job_order_id", payload["job_order_id"])
    episode.put("p3mi_id", event["source"]["id"])
    episode.put("departed_on", _day(event))
    episode.reported(v.DEPARTED, event)
    walk.social_security_no = payload["social_security_no"] or walk.social_security_no
    walk.status = v.DEPARTED


def _same_job(registration: tuple[dict, dict] | None, event: dict, payload: dict) -> bool:
    if registration is None:
        return False
    registered, planned = registration
    if payload["job_order_id"] is not None:  # job order ids are the P3MI's own
        return (registered["source"]["id"], planned["job_order_id"]) == (
            event["source"]["id"],
            payload["job_order_id"],
        )
    return planned["destination_country"] == payload["destination_country"]


def _placement(walk: _Walk, event: dict, payload: dict) -> _Episode:
    """What PLACED and PLACEMENT_UPDATED share: the episode, employer and contract end, stage."""
    episode = walk.journey_in(payload["country"]) or walk.open(_ABROAD)
    episode.phase = _ABROAD
    episode.put("country", payload["country"])  # the embassy sees where the worker is; a departure says where they were sent
    episode.put("employer_name", payload["employer_name"])
    episode.put("contract_end", payload["contract_end"])
    episode.reported(event["event_type"], event)
    walk.status = v.PLACED
    return episode


def _placed(walk: _Walk, event: dict, payload: dict) -> None:
    episode = _placement(walk, event, payload)
    episode.fill("sector", payload["sector"])
    episode.put("placed_on", payload["contract_start"] or _day(event))


def _placement_updated(walk: _Walk, event: dict, payload: dict) -> None:
    _placement(walk, event, payload)


def _returned(walk: _Walk, event: dict, payload: dict) -> None:
    returned_on = payload["return_date"] or _day(event)
    episode = walk.journey_in(payload["country"]) or _same_return(walk.current, payload["country"], returned_on)
    episode = episode or walk.open(_CLOSED)
    episode.phase = _CLOSED
    episode.fill("country", payload["country"])
    episode.fill("returned_on", returned_on)
    episode.fill("return_reason", payload["reason"])
    if event["source"]["kind"] == v.P3MI:
        episode.fill("p3mi_id", event["source"]["id"])
    episode.reported(v.RETURNED, event)
    walk.status = v.RETURNED


def _same_return(episode: _Episode | None, country: str | None, returned_on: date) -> _Episode | None:
    if episode is None or episode.phase != _CLOSED or not _same_country(episode.record["country"], country):
        return None
    return episode if abs(episode.record["returned_on"] - returned_on) <= SAME_RETURN_WITHIN else None


def _case_reported(walk: _Walk, event: dict, payload: dict) -> None:
    case = walk.cases.setdefault(
        payload["case_id"],
        {"case_id": payload["case_id"], "category": None, "employer_name": None, "reported_at": event["occurred_at"]},
    )
    for name in ("category", "employer_name"):  # a later report may complete the first, not change it
        if case[name] is None:
            case[name] = payload[name]


def _case_resolved(walk: _Walk, event: dict, payload: dict) -> None:
    walk.resolved.add(payload["case_id"])


_TRANSITIONS = {
    v.TRAINING_COMPLETED: _training_completed,
    v.REGISTERED: _registered,
    v.DEPARTED: _departed,
    v.PLACED: _placed,
    v.PLACEMENT_UPDATED: _placement_updated,
    v.CASE_REPORTED: _case_reported,
    v.CASE_RESOLVED: _case_resolved,
    v.RETURNED: _returned,
}


def _same_country(known: str | None, reported: str | None) -> bool:
    return known is None or reported is None or known == reported


def _day(event: dict) -> date:
    return event["occurred_at"].astimezone(timezone.utc).date()


def _certificate_order(certificate: dict) -> tuple:
    return certificate["issued_on"], certificate["certificate_no"]


def _add(values: set[str], value: str | None) -> None:
    if value:
        values.add(value)
