"""What every person of one population is drawn against: the window, the rates, the reference
data, the precomputed tables, each person's role and random stream, and the SPIKE groups.

Each person's draws come from their own ``Random`` seeded with (seed, index), so a person does
not depend on who was drawn before them: chunks of people can be generated in any order, in
any process, and the files still come out byte-identical.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from datetime import date
from random import Random

from simulator import figures
from simulator.clock import years_before
from simulator.draw import Table, below
from simulator.journey import NON_PROCEDURAL, NORMAL, UNCONFIRMED, SpikeRole, event_uuid
from simulator.rates import ANOMALY_ROLES, Rates
from simulator.reference_data import Reference
from simulator.regions import regency_tables

DEFAULT_UNTIL = date(2026, 10, 31)  # fixed, so the same options give the same files on any day
DEFAULT_YEARS = 3
SPIKE_GROUP = 24  # workers of one employer or P3MI in a SPIKE group
SPIKE_BURST = 12  # of whom this many have their incident in the burst week
SPIKE_MIN_WORKERS = 200  # smaller populations get no SPIKE group
# A burst falls at least this many days after the window opens (its members departed up to 250
# days before it, and trained up to 85 days before that) and before it closes.
_SPIKE_EARLIEST, _SPIKE_LATEST = 340, 90
_COMPANY_SUFFIX = {"MY": "SDN BHD", "SG": "PTE LTD", "BN": "SDN BHD", "HK": "LTD", "TW": "CO LTD", "KR": "CO LTD",
                   "JP": "KK"}
_HOUSEHOLD_SECTORS = frozenset({"DOMESTIC_WORKER", "CAREGIVER"})
_COMPANY_WORDS = ("AGRO", "MAJU", "JAYA", "GLOBAL", "PRIMA", "SEJATI", "TEKNIK", "MARINE", "HOTEL", "PERSADA")


@dataclass(frozen=True)
class SpikeGroup:
    subject_kind: str
    subject_id: str
    members: tuple[SpikeRole, ...]  # the first SPIKE_BURST have their incident in the burst week


class World:
    def __init__(self, seed: int, workers: int, rates: Rates = Rates(), until: date = DEFAULT_UNTIL,
                 years: int = DEFAULT_YEARS, reference: Reference | None = None):
        if workers < 1:
            raise ValueError("--workers must be at least 1")
        if not 1 <= years <= 20:
            raise ValueError("--years must be between 1 and 20")
        self.seed, self.workers, self.rates, self.years = seed, workers, rates, years
        self.until = until.toordinal()
        self.start = years_before(self.until, years)
        self.reference = reference or Reference()
        self.provinces, self.regencies = regency_tables()
        self.destinations = Table(figures.DESTINATIONS)
        self.sectors = {country: Table(shares) for country, shares in figures.SECTORS_BY_DESTINATION.items()}
        self.sectors_for_sex = {
            (country, sex): Table({s: w * _sex_share(s, sex) for s, w in shares.items()})
            for country, shares in figures.SECTORS_BY_DESTINATION.items() for sex in ("F", "M")
        }
        self.np_destinations = Table(figures.NON_PROCEDURAL_DESTINATIONS)
        self.np_sectors = Table(figures.NON_PROCEDURAL_SECTORS)
        self.np_return_reasons = Table(figures.NON_PROCEDURAL_RETURN_REASONS)
        self.contract_months = Table(figures.CONTRACT_MONTHS)
        self.early_share = sum(figures.EARLY_RETURN_REASONS.values())
        self.early_reasons = Table(figures.EARLY_RETURN_REASONS)
        self.case_categories = Table(figures.CASE_CATEGORIES)
        # Moratorium countries the figures know a wage for: where an injected MORATORIUM_DESTINATION goes.
        self.moratorium_destinations = [c for c in self.reference.moratorium_countries if c in figures.CURRENCIES]
        self._roles = [(NON_PROCEDURAL, rates.non_procedural), (UNCONFIRMED, rates.unconfirmed_departure)]
        self._roles += [(role, getattr(rates, role)) for role in ANOMALY_ROLES]
        if sum(share for _, share in self._roles) > 1:
            raise ValueError("the per-person role rates (non_procedural, unconfirmed_departure and the anomalies) sum to more than 1")
        self._role_names = tuple(role for role, _ in self._roles)
        self._role_bounds = tuple(accumulate(share for _, share in self._roles))  # role i: u below bound i, not i-1
        self.spikes = self._spike_groups()
        self._spike_members = sum(len(group.members) for group in self.spikes)

    # ---- per person --------------------------------------------------------------------------
    def rng(self, index: int) -> Random:
        return Random(f"{self.seed}:{index}")

    def role(self, rng: Random) -> str:
        found = bisect_right(self._role_bounds, rng.random())
        return self._role_names[found] if found < len(self._role_names) else NORMAL

    def spike_role(self, index: int) -> SpikeRole | None:
        if index >= self._spike_members:
            return None
        group = self.spikes[index // SPIKE_GROUP]
        return group.members[index % SPIKE_GROUP]

    def spike_group_led_by(self, index: int) -> SpikeGroup | None:
        """The SPIKE group whose first member is person ``index`` (who reports the group's truth)."""
        if index < self._spike_members and index % SPIKE_GROUP == 0:
            return self.spikes[index // SPIKE_GROUP]
        return None

    # ---- names of partners -------------------------------------------------------------------
    def embassy(self, country: str) -> str:
        return _embassy(country)

    def employer(self, rng: Random, country: str, sector: str) -> str:
        """A synthetic employer: a private household for domestic work and care, else a company."""
        if sector in _HOUSEHOLD_SECTORS:
            return f"HOUSEHOLD {country}-{below(rng, 1_000_000):06d}"
        return _company(country, sector, below(rng, figures.EMPLOYERS_PER_DESTINATION_SECTOR))

    # ---- SPIKE -------------------------------------------------------------------------------
    def _spike_groups(self) -> list[SpikeGroup]:
        """Alternately an employer with a burst of cases and a P3MI with a burst of early
        terminations, each in one week, against a baseline of none."""
        if self.workers < SPIKE_MIN_WORKERS or self.rates.spike_per_workers == 0:
            return []
        if self.until - self.start < _SPIKE_EARLIEST + _SPIKE_LATEST:
            return []  # a window too short for a burst with its members' history inside it
        count = max(2, round(self.workers * self.rates.spike_per_workers))
        count = min(count, self.workers // SPIKE_GROUP // 4)
        groups = []
        for g in range(count):
            rng = Random(f"{self.seed}:spike:{g}")
            burst = rng.randint(self.start + _SPIKE_EARLIEST, self.until - _SPIKE_LATEST)
            if g % 2 == 0:
                kind, country, sector = "EMPLOYER", "MY", "PLANTATION"
                subject = f"SYNTHETIC LONJAKAN {g + 1:03d} SDN BHD"
            else:
                kind, country, sector = "P3MI", "TW", "MANUFACTURING"
                subject = self.reference.licensed_p3mi(rng, self.start, self.until)
            members = []
            for m in range(SPIKE_GROUP):
                incident = burst + m % 7 if m < SPIKE_BURST else None
                departed = burst - rng.randint(90, 250)
                members.append(SpikeRole(kind, subject, country, sector, departed, incident,
                                         event_uuid(rng) if incident is not None else None))
            groups.append(SpikeGroup(kind, subject, tuple(members)))
        return groups


@lru_cache(maxsize=None)
def _embassy(country: str) -> str:
    return f"{figures.EMBASSY_PREFIX.get(country, 'KBRI')}-{country}"


@lru_cache(maxsize=None)  # at most EMPLOYERS_PER_DESTINATION_SECTOR per country and sector
def _company(country: str, sector: str, number: int) -> str:
    word = _COMPANY_WORDS[number % len(_COMPANY_WORDS)]
    return f"SYNTHETIC {word} {sector.split('_')[0]} {number:03d} {_COMPANY_SUFFIX.get(country, 'LLC')}"


def _sex_share(sector: str, sex: str) -> float:
    female = figures.FEMALE_SHARE_BY_SECTOR[sector]
    return female if sex == "F" else 1.0 - female
