"""The ground truth of one person, read back from the events the generator made for them.

Reading the events (rather than trusting the role a person was given) is what makes the truth
complete: an anomaly the mess implies — an unconfirmed departure, an embassy-only worker's
return, a case still open at the end, an overstay falling due after ``until`` — is listed like
an injected one. Rules are evaluated as DESIGN §5 states them, per true person, on event time,
with the default thresholds (14 days to placement, 30 days past a contract's end, 30 days for
a case). Timed rules still pending at ``until`` are listed with their future ``due_at``.
"""
from __future__ import annotations

from collections import Counter
from datetime import date

from simulator.clock import DAY, EPOCH, day_text, iso_utc
from simulator.journey import EMBASSY, NON_PROCEDURAL, P3MI, Event, Person

PLACEMENT_WITHIN = 14 * DAY
OVERSTAY_AFTER_DAYS = 30
CASE_OPEN_FOR = 30 * DAY
MINIMUM_AGE = 18
_RANK = {t: r for r, t in enumerate(("TRAINING_COMPLETED", "REGISTERED", "DEPARTED", "PLACED", "PLACEMENT_UPDATED",
                                      "CASE_REPORTED", "CASE_RESOLVED", "RETURNED"))}
_ABROAD = frozenset({"DEPARTED", "PLACED"})
_CASE_TYPES = frozenset({"CASE_REPORTED", "CASE_RESOLVED"})
_POLICY_TYPES = frozenset({"REGISTERED", "DEPARTED", "PLACED"})  # P3MI licences: the first two
_PLACEMENTS = frozenset({"PLACED", "PLACEMENT_UPDATED"})
UNKNOWN = "UNKNOWN"  # a dimension value no event of the record carries
_RECORD_KEY = {P3MI: "nik", EMBASSY: "passport_no"}  # what one source kind's record is
_STAGES = frozenset({"REGISTERED", "DEPARTED", "RETURNED", *_PLACEMENTS})  # cases are not stages
_COUNTED_ABROAD = ((P3MI, frozenset({"DEPARTED"})), (EMBASSY, _PLACEMENTS))


def ordered(person: Person) -> list[Event]:
    """By event time, and by stage within one second (ranks fit in three bits)."""
    return sorted(person.events, key=lambda e: e.t << 3 | _RANK[e.type])


def _day(event: Event) -> int:
    return event.t // DAY + EPOCH


def _ordinal(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def status(events: list[Event]) -> str | None:
    """The stage the person is at, as the fold defines it (pre-departure reports do not move a worker abroad)."""
    current = None
    for event in events:
        event_type = event.type
        if event_type == "TRAINING_COMPLETED":
            current = current if current in _ABROAD else "TRAINED"
        elif event_type == "REGISTERED":
            current = current if current in _ABROAD else "REGISTERED"
        elif event_type in _PLACEMENTS:
            current = "PLACED"
        elif event_type in ("DEPARTED", "RETURNED"):
            current = event_type
    return current


def reported_episodes(person: Person, events: list[Event]) -> list[dict]:
    """The episodes something beyond training was reported for, as dicts."""
    seen = {e.episode for e in events if e.type != "TRAINING_COMPLETED"}
    return [vars(episode).copy() for n, episode in enumerate(person.episodes) if n in seen]


class _Anomalies:
    def __init__(self, person: Person):
        self.subject = {"kind": "WORKER", "id": person.person_id}
        self.found: list[dict] = []

    def add(self, rule: str, evidence: list[Event], opened_at: int, due_at: int | None = None,
            resolved_at: int | None = None) -> None:
        self.found.append({
            "rule": rule,
            "subject": self.subject,
            "evidence": [e.doc["event_id"] for e in evidence],
            "opened_at": iso_utc(opened_at),
            "due_at": iso_utc(due_at) if due_at is not None else None,
            "resolved_at": iso_utc(resolved_at) if resolved_at is not None else None,
        })


def anomalies(person: Person, events: list[Event], reference) -> list[dict]:
    """Every worker-subject alert the rules must raise for this person (SPIKE is per group:
    ``simulator.spikes``); ``events`` as ``ordered`` gives them."""
    found = _Anomalies(person)
    by_episode: dict[int, list[Event]] = {}
    certificates, cases = [], []
    for event in events:
        by_episode.setdefault(event.episode, []).append(event)
        if event.type == "TRAINING_COMPLETED":
            payload = event.doc["payload"]
            certificates.append((event, _ordinal(payload["issued_on"]), _ordinal(payload["valid_until"])))
        elif event.type in _CASE_TYPES:
            cases.append(event)
    for episode in by_episode.values():
        departures = [e for e in episode if e.type == "DEPARTED"]
        if departures:
            _departures(found, person, departures, certificates)
        _licences_and_policy(found, episode, reference)
        _placement_and_return(found, episode, departures)
        _sequence(found, episode, departures)
    if cases:
        _cases(found, cases)
    _identity(found, person, events)
    return found.found


def _departures(found: _Anomalies, person: Person, departures: list[Event], certificates) -> None:
    born = date.fromordinal(person.date_of_birth)
    for departed in departures:
        day = _day(departed)
        on = date.fromordinal(day)
        if (on.year - born.year - ((on.month, on.day) < (born.month, born.day))) < MINIMUM_AGE:
            found.add("UNDERAGE_DEPARTURE", [departed], departed.t)
        valid = [c for c, issued, until in certificates if issued <= day <= until]
        if not any(c.t <= departed.t for c in valid):
            late = min((c for c in valid if c.t > departed.t), key=lambda c: c.t, default=None)
            found.add("DEPARTURE_WITHOUT_TRAINING", [departed] + ([late] if late else []), departed.t,
                      resolved_at=late.t if late else None)
        if not departed.doc["payload"].get("social_security_no"):
            found.add("DEPARTURE_WITHOUT_SOCIAL_SECURITY", [departed], departed.t)


def _licences_and_policy(found: _Anomalies, episode: list[Event], reference) -> None:
    """UNLICENSED_P3MI (registration and departure), then MORATORIUM_DESTINATION and
    BELOW_MINIMUM_WAGE (registration, departure and placement), once per episode each."""
    unlicensed, moratorium, underpaid = [], [], []
    licences, policy = reference.licences, reference.policy
    for event in episode:
        event_type = event.type
        if event_type not in _POLICY_TYPES:
            continue
        doc = event.doc
        payload = doc["payload"]
        if event_type != "PLACED":
            licence = licences.get(doc["source"]["id"])
            if licence is None or not licence.valid_on(_day(event)):
                unlicensed.append(event)
        sector = payload.get("sector")
        if sector is None:
            continue
        row = policy.get((payload.get("destination_country") or payload.get("country"), sector))
        if row is None:
            continue
        if row["moratorium"]:
            moratorium.append(event)
        salary, minimum = payload.get("monthly_salary"), row["min_monthly_wage"]
        if salary and minimum and salary["currency"] == minimum["currency"] and float(salary["amount"]) < minimum["amount"]:
            underpaid.append(event)
    if unlicensed:
        found.add("UNLICENSED_P3MI", unlicensed, unlicensed[0].t)
    if moratorium:
        found.add("MORATORIUM_DESTINATION", moratorium, moratorium[0].t)
    if underpaid:
        found.add("BELOW_MINIMUM_WAGE", underpaid, underpaid[0].t)


def _placement_and_return(found: _Anomalies, episode: list[Event], departures: list[Event]) -> None:
    placements = [e for e in episode if e.type in _PLACEMENTS]
    returns = [e for e in episode if e.type == "RETURNED"]
    for departed in departures:
        due = departed.t + PLACEMENT_WITHIN
        if not any(p.t <= due for p in placements):
            late = min(placements, key=lambda p: p.t, default=None)
            found.add("UNCONFIRMED_PLACEMENT", [departed], departed.t, due, late.t if late else None)
    if returns and not departures:
        found.add("RETURN_WITHOUT_DEPARTURE", returns, returns[0].t)
    placed = [e for e in placements if e.type == "PLACED"]
    if placed:
        _overstay(found, placed[0], episode)


def _overstay(found: _Anomalies, placed: Event, episode: list[Event]) -> None:
    """Due the day after contract_end + 30 days, unless a return or an extension came first."""
    end = _ordinal(placed.doc["payload"]["contract_end"])
    for event in episode:
        if event.t <= placed.t:
            continue
        due = (end + OVERSTAY_AFTER_DAYS + 1 - EPOCH) * DAY
        extends = event.type == "PLACEMENT_UPDATED" and event.doc["payload"].get("contract_end")
        if event.type != "RETURNED" and not extends:
            continue
        if event.t > due:
            found.add("OVERSTAY", [placed], _ended(end), due, event.t)
            return
        if event.type == "RETURNED":
            return
        end = _ordinal(event.doc["payload"]["contract_end"])
    due = (end + OVERSTAY_AFTER_DAYS + 1 - EPOCH) * DAY
    found.add("OVERSTAY", [placed], _ended(end), due)


def _ended(end: int) -> int:
    """The moment a contract has ended: the start of the day after its last day."""
    return (end + 1 - EPOCH) * DAY


def _sequence(found: _Anomalies, episode: list[Event], departures: list[Event]) -> None:
    placed = next((e for e in episode if e.type == "PLACED"), None)
    if not departures or placed is None:
        return
    departed = departures[0]
    other_country = placed.doc["payload"]["country"] != departed.doc["payload"]["destination_country"]
    if other_country or placed.t < departed.t:
        found.add("IMPOSSIBLE_SEQUENCE", [departed, placed], max(departed.t, placed.t))


def _cases(found: _Anomalies, events: list[Event]) -> None:
    """``events``: the person's case reports and resolutions, in order."""
    resolutions = {e.doc["payload"]["case_id"]: e for e in events if e.type == "CASE_RESOLVED"}
    for reported in (e for e in events if e.type == "CASE_REPORTED"):
        due = reported.t + CASE_OPEN_FOR
        resolved = resolutions.get(reported.doc["payload"]["case_id"])
        if resolved is None or resolved.t > due:
            found.add("CASE_UNRESOLVED", [reported], reported.t, due, resolved.t if resolved else None)


def _identity(found: _Anomalies, person: Person, events: list[Event]) -> None:
    """A report with a NIK whose birth date or sex contradicts the one the NIK encodes, or a
    passport reported with a second NIK (a mistyped one travels with the passport). Every NIK the
    generator writes (a mistyped one too) encodes the person's true birth date and sex, so
    comparing with those is the same test, without decoding each NIK. ``events`` in time order."""
    born, sex = person.birth_text, person.sex
    nik_of_passport = {}
    for event in events:
        worker = event.doc["worker"]
        nik, passport = worker.get("nik"), worker.get("passport_no")
        if not nik:
            continue
        contradicts = worker.get("date_of_birth", born) != born or worker.get("sex", sex) != sex
        if contradicts or (passport and nik_of_passport.setdefault(passport, nik) != nik):
            found.add("IDENTITY_CONFLICT", [event], event.t)
            return


def person_record(person: Person, events: list[Event]) -> dict:
    kinds = sorted({e.kind for e in events})
    return {
        "person_id": person.person_id,
        "nik": person.nik,
        "full_name": person.full_name,
        "date_of_birth": day_text(person.date_of_birth),
        "sex": person.sex,
        "origin_regency": person.regency,
        "province": person.regency[:2],
        "status": status(events),
        "episodes": reported_episodes(person, events),
        "seen_by": kinds,
        "non_procedural": person.role == NON_PROCEDURAL,
    }


def count_person(counts: dict[str, Counter], record: dict) -> None:
    """Adds the person to the canonical counts: by status, and where they are when abroad."""
    counts["status"][record["status"]] += 1
    if record["status"] in _ABROAD and record["episodes"]:
        current = record["episodes"][-1]
        counts["country"][current["country"]] += 1
        counts["province"][record["province"]] += 1
        counts["sector"][current["sector"]] += 1


def count_sources(counts: dict[str, dict[str, Counter]], events: list[Event]) -> None:
    """What each source kind alone counts abroad: its records (P3MI by the NIK as reported,
    EMBASSY by the passport as reported) whose latest stage report says abroad."""
    records: dict[str, dict[str, list[Event]]] = {P3MI: {}, EMBASSY: {}}
    for event in events:
        kind = event.kind
        if kind in records:
            key = event.doc["worker"].get(_RECORD_KEY[kind])
            if key:
                records[kind].setdefault(key, []).append(event)
    for kind, abroad in _COUNTED_ABROAD:
        for own in records[kind].values():
            latest = regency = sector = None
            for event in reversed(own):  # the latest stage, origin and sector the record carries
                doc = event.doc
                if latest is None and event.type in _STAGES:
                    if event.type not in abroad:
                        break
                    latest = doc["payload"]
                regency = regency or doc["worker"].get("origin_regency")
                sector = sector or doc["payload"].get("sector")
            if latest is None:
                continue
            payload, sector = latest, sector or UNKNOWN
            counted = counts[kind]
            counted["country"][payload.get("destination_country") or payload.get("country")] += 1
            counted["province"][regency[:2] if regency else UNKNOWN] += 1
            counted["sector"][sector] += 1
