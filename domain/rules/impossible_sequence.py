"""IMPOSSIBLE_SEQUENCE (WARNING) — a journey's reports cannot all be true:

* ``PLACED_ELSEWHERE``: a placement in another country than the journey's departure went to;
* ``PLACED_BEFORE_DEPARTURE``: a contract starting before the journey's departure date, or a
  placement (never returned from) followed by a departure to the same country;
* ``RETURNED_FROM_ELSEWHERE``: a return from a country the journey neither departed to nor was
  placed in (a return with no journey at all is RETURN_WITHOUT_DEPARTURE's);
* ``TWO_PLACEMENTS``: two placements in one journey with different employers or countries whose
  contract periods overlap (start: contract_start, else the report's date; end: contract_end,
  else open). An employer change reported as PLACEMENT_UPDATED is not a second placement, and a
  placement on a later journey is not at once with one the worker came back from.

Fires: once per kind and the report(s) that make it, at the event time of the later of the
contradicting reports. Resolves: never — both reports stay on record (a corrected report under
the same event id re-judges it; a finding that no longer holds is withdrawn).
Evidence: the contradicting reports. Subject: the worker.
"""
from __future__ import annotations

from datetime import date
from itertools import combinations

from domain import vocabulary as v
from domain.alerts import WARNING, Finding, finding
from domain.fold import Step
from domain.rules.context import Context
from domain.rules.worker_history import WorkerHistory, at, day, destination, key, payload

RULE = "IMPOSSIBLE_SEQUENCE"


def findings(worker: WorkerHistory, context: Context) -> list[Finding]:
    out = []
    for index in range(len(worker.state["episodes"])):
        departed, placed = worker.in_episode(index, v.DEPARTED), worker.in_episode(index, v.PLACED)
        went_to = {destination(s)[0] for s in departed}
        out += _placed_wrong(worker, index, departed, placed, went_to)
        out += _returned_from_elsewhere(worker, index, went_to)
        out += [
            _impossible(worker, "TWO_PLACEMENTS", [a, b],
                        f"two placements at once: {payload(a)['country']} from {_period(a)[0]}"
                        f" and {payload(b)['country']} from {_period(b)[0]}")
            for a, b in combinations(placed, 2) if _employer(a) != _employer(b) and _overlap(a, b)
        ]
    return out


def _impossible(worker: WorkerHistory, kind: str, steps: list[Step], what: str) -> Finding:
    """Dated by the later report: only with both on record is the sequence impossible."""
    return finding(RULE, WARNING, worker.subject, (kind, *(key(s) for s in steps)), at(max(steps, key=at)),
                   f"{worker.worker_id}: {what}", [key(s) for s in steps], details={"sequence": kind})


def _placed_wrong(worker: WorkerHistory, index: int, departed: list[Step], placed: list[Step],
                  went_to: set[str]) -> list[Finding]:
    out = []
    for step in placed:
        country = payload(step)["country"]
        if went_to and country not in went_to:
            out.append(_impossible(worker, "PLACED_ELSEWHERE", [departed[0], step],
                                   f"placed in {country} on {day(step)}, departed to {', '.join(sorted(went_to))}"))
        start, departed_on = payload(step)["contract_start"], step.episode_after["departed_on"]
        if start and departed_on and start < departed_on:
            out.append(_impossible(worker, "PLACED_BEFORE_DEPARTURE", [step],
                                   f"contract in {country} starts {start}, before the departure on {departed_on}"))
    ahead = worker.placed_ahead(index)
    if ahead is not None:
        out.append(_impossible(worker, "PLACED_BEFORE_DEPARTURE", [ahead, departed[0]],
                               f"placed in {payload(ahead)['country']} on {day(ahead)},"
                               f" departed there only on {day(departed[0])}"))
    return out


def _returned_from_elsewhere(worker: WorkerHistory, index: int, went_to: set[str]) -> list[Finding]:
    placed_in = {payload(s)["country"] for s in worker.in_episode(index, v.PLACED, v.PLACEMENT_UPDATED)}
    been = (went_to | placed_in) - {None}  # a PLACEMENT_UPDATED may leave the country out
    return [
        _impossible(worker, "RETURNED_FROM_ELSEWHERE", [step],
                    f"returned from {payload(step)['country']} on {day(step)},"
                    f" a country the journey never went to ({', '.join(sorted(been))})")
        for step in worker.in_episode(index, v.RETURNED) if been and payload(step)["country"] not in been
    ]


def _employer(step: Step) -> tuple:
    return payload(step)["country"], payload(step)["employer_name"]


def _period(step: Step) -> tuple[date, date]:
    fields = payload(step)
    return fields["contract_start"] or day(step), fields["contract_end"] or date.max


def _overlap(a: Step, b: Step) -> bool:
    (a_start, a_end), (b_start, b_end) = _period(a), _period(b)
    return a_start <= b_end and b_start <= a_end
