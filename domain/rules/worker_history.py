"""What a per-worker rule reads: the worker's distinct events in fold order, each with the journey
(episode) the fold put it in, and the folded state (``domain.fold.fold_steps``).

Everything a rule decides is a function of this, the reference data and the watermark, so the
same set of events in any arrival order, with any duplicates, gives the same findings.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cached_property

from domain import vocabulary as v
from domain.alerts import WORKER, Subject
from domain.fold import Step, fold_steps
from domain.lifecycle import event_key
from domain.reference import DESTINATION_POLICY, P3MI_LICENCES, policy_key


@dataclass(frozen=True)
class WorkerHistory:
    worker_id: str
    state: dict
    steps: tuple[Step, ...]

    @classmethod
    def of(cls, events, worker_id: str) -> WorkerHistory:
        state, steps = fold_steps(events, worker_id)
        return cls(worker_id, state, tuple(steps))

    @property
    def subject(self) -> Subject:
        return Subject(WORKER, self.worker_id)

    def of_type(self, *event_types: str) -> list[Step]:
        return [step for step in self.steps if step.event["event_type"] in event_types]

    def in_episode(self, episode: int, *event_types: str) -> list[Step]:
        """The steps that touched ``episode`` (of ``event_types``, when given), in fold order."""
        steps = self._by_episode.get(episode, [])
        return [step for step in steps if step.event["event_type"] in event_types] if event_types else steps

    @cached_property
    def _by_episode(self) -> dict[int, list[Step]]:
        # Several rules walk every journey: index the steps once per evaluation.
        by_episode: dict[int, list[Step]] = {}
        for step in self.steps:
            if step.episode is not None:
                by_episode.setdefault(step.episode, []).append(step)
        return by_episode

    @cached_property
    def departures(self) -> list[Departure]:
        """The worker's departures, oldest first. A partner resending a departure under a new event id
        reports the same departure: grouping the reports keeps one alert per departure, not per report."""
        groups: dict[tuple, list[Step]] = {}
        for step in self.of_type(v.DEPARTED):
            identity = (step.event["source"]["id"], day(step).isoformat(), payload(step)["destination_country"])
            groups.setdefault(identity, []).append(step)
        return [Departure(identity, tuple(steps)) for identity, steps in groups.items()]

    @cached_property
    def reference_keys(self) -> frozenset[tuple[str, str]]:
        """The reference records the worker's findings read, as (kind, topic key): the licences of the
        P3MIs they registered or departed through, the policies of where they went. When one of these
        records changes, the stream re-evaluates the worker — alert or not, the record can raise one."""
        licences = {(P3MI_LICENCES, s.event["source"]["id"]) for s in self.of_type(v.REGISTERED, v.DEPARTED)}
        policies = {
            (DESTINATION_POLICY, policy_key(dict(zip(("country", "sector"), destination(s)))))
            for s in self.of_type(v.REGISTERED, v.DEPARTED, v.PLACED)
        }
        return frozenset(licences | policies)

    def placed_ahead(self, episode: int) -> Step | None:
        """The placement the embassy reported *before* journey ``episode``'s departure: the journey
        before it has a PLACED, no departure and no return, in the country this one departs to. The
        fold keeps the two apart (it reads events by time); the rules read them as one journey whose
        reports contradict each other in time."""
        if episode == 0:
            return None
        previous, placed = self.state["episodes"][episode - 1], self.in_episode(episode - 1, v.PLACED)
        opening = self.in_episode(episode)[0]
        if (placed and v.DEPARTED not in previous["reported_by"] and previous["returned_on"] is None
                and opening.event["event_type"] == v.DEPARTED and destination(opening)[0] == previous["country"]):
            return placed[0]
        return None

    def next_journey(self, episode: int) -> Step | None:
        """The first event of the journey after ``episode``: the worker was back from it by then."""
        later = self.in_episode(episode + 1)
        return later[0] if later else None


def key(step: Step) -> str:
    """The event key of a step: what evidence and causes name."""
    return event_key(step.event)


def at(step: Step) -> datetime:
    return step.event["occurred_at"]


def payload(step: Step) -> dict:
    return step.event["payload"][1]


@dataclass(frozen=True)
class Departure:
    """One departure, however many DEPARTED reports name it: the same P3MI, UTC date and destination."""

    identity: tuple[str, str, str]  # P3MI id, UTC date (ISO), destination: the cause an alert names
    steps: tuple[Step, ...]  # its reports, in fold order

    @property
    def first(self) -> Step:
        return self.steps[0]

    @property
    def at(self) -> datetime:
        return at(self.first)

    @property
    def p3mi_id(self) -> str:
        return self.first.event["source"]["id"]

    @property
    def country(self) -> str:
        return payload(self.first)["destination_country"]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key(step) for step in self.steps)

    @property
    def episodes(self) -> frozenset[int]:
        return frozenset(step.episode for step in self.steps)


def day(step: Step) -> date:
    """The UTC date of a step's event, as the fold dates departures."""
    return at(step).astimezone(timezone.utc).date()


def destination(step: Step) -> tuple[str, str]:
    """Country and sector a REGISTERED, DEPARTED or PLACED event names (validation requires both)."""
    fields = payload(step)
    if step.event["event_type"] == v.PLACED:
        return fields["country"], fields["sector"]
    return fields["destination_country"], fields["sector"]


def first(*steps: Step | None) -> Step | None:
    """The earliest of the steps given (None ignored) by event time, or None."""
    return min((s for s in steps if s is not None), key=at, default=None)
