"""Lookups over the reference records ``domain.reference`` produces (``p3mi_licence``,
``destination_policy``): what the rules ask of them, pure and by event time.

The stream keeps the latest record per key (the compacted topics' semantics) and builds a
``ReferenceTables`` from them; a rule re-evaluated with new tables gives the new findings.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from domain.reference import licence_key, policy_key

ACTIVE = "ACTIVE"
# Why a P3MI may not place a worker on a day: the licence's status, or the day outside its validity.
MISSING, NOT_YET_VALID, EXPIRED = "MISSING", "NOT_YET_VALID", "EXPIRED"


@dataclass(frozen=True)
class ReferenceTables:
    licences: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # p3mi_id → licence record
    policies: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # COUNTRY:SECTOR → policy

    @classmethod
    def of(cls, licences: Iterable[dict] = (), policies: Iterable[dict] = ()) -> ReferenceTables:
        """Tables from records; a later record for a key replaces an earlier one, as on the topic."""
        return cls(
            MappingProxyType({licence_key(r): r for r in licences}),
            MappingProxyType({policy_key(r): r for r in policies}),
        )

    def licence_problem(self, p3mi_id: str, on: date) -> str | None:
        """Why ``p3mi_id`` was not licensed on ``on`` — MISSING, SUSPENDED, REVOKED, NOT_YET_VALID or
        EXPIRED — or None when its licence was ACTIVE and valid that day.

        Only the latest record per P3MI is known (the topic is compacted), so its status is taken
        to hold over its whole validity: a licence suspended today reads as suspended for the
        registrations and departures of its whole term. Dates outside the term are judged by the
        dates alone, whatever the status says.
        """
        licence = self.licences.get(p3mi_id)
        if licence is None:
            return MISSING
        if on < licence["valid_from"]:
            return NOT_YET_VALID
        if on > licence["valid_until"]:
            return EXPIRED
        return None if licence["status"] == ACTIVE else licence["status"]

    def policy(self, country: str | None, sector: str | None) -> dict | None:
        """The destination policy for a country and sector; None when there is none (no moratorium, no minimum)."""
        if country is None or sector is None:
            return None
        return self.policies.get(policy_key({"country": country, "sector": sector}))

    def moratorium(self, country: str | None, sector: str | None) -> bool:
        policy = self.policy(country, sector)
        return bool(policy and policy["moratorium"])

    def minimum_wage(self, country: str | None, sector: str | None) -> dict | None:
        """The minimum monthly wage ``{amount, currency}`` for a country and sector, or None."""
        policy = self.policy(country, sector)
        return policy["min_monthly_wage"] if policy else None
