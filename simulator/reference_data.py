"""The reference data a population is drawn against: the shipped CSVs of ``deploy/reference``
(P3MI licences, destination policy), read with the same checks ``pantau reference publish`` runs,
and copied beside the population so the pipeline is given exactly what the truth assumed."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from random import Random

from domain.reference import DESTINATION_POLICY, KINDS, P3MI_LICENCES, check_rows
from simulator.draw import Table
from streams.settings import PROJECT_ROOT

REFERENCE_DIR = PROJECT_ROOT / "deploy" / "reference"
FILES = {P3MI_LICENCES: "p3mi-licences.csv", DESTINATION_POLICY: "destination-policy.csv"}
_SIZE_SEED = 424  # P3MI sizes are fixed (synthetic), the same for every population
_TRIES = 30


@dataclass(frozen=True)
class Licence:
    p3mi_id: str
    status: str
    valid_from: int  # proleptic ordinals (date.toordinal): the generator works in day numbers
    valid_until: int

    def valid_on(self, day: int) -> bool:
        return self.status == "ACTIVE" and self.valid_from <= day <= self.valid_until


class Reference:
    """Licences and destination policy, with the draws the generator needs from them."""

    def __init__(self, directory: Path = REFERENCE_DIR):
        self.directory = directory
        licences = [
            Licence(r["p3mi_id"], r["status"], r["valid_from"].toordinal(), r["valid_until"].toordinal())
            for r in _records(directory, P3MI_LICENCES)
        ]
        self.licences = {licence.p3mi_id: licence for licence in licences}
        sizes = Random(_SIZE_SEED)  # a few big agencies, many small ones
        active = [licence for licence in licences if licence.status == "ACTIVE"]
        self._active = Table({licence.p3mi_id: sizes.lognormvariate(0, 1) for licence in active})
        self._withdrawn = tuple(licence.p3mi_id for licence in licences if licence.status != "ACTIVE")
        self._active_licences = tuple(active)
        self.policy = {(r["country"], r["sector"]): r for r in _records(directory, DESTINATION_POLICY)}
        self.moratorium_countries = tuple(
            sorted(country for (country, sector), r in self.policy.items() if r["moratorium"] and sector == "DOMESTIC_WORKER")
        )

    def licensed_p3mi(self, rng: Random, first_day: int, last_day: int) -> str:
        """A P3MI licensed on every day from ``first_day`` to ``last_day`` (by size); ValueError if none."""
        for _ in range(_TRIES):
            p3mi = self._active.pick(rng)
            licence = self.licences[p3mi]  # ACTIVE: valid_on is its date range
            if licence.valid_from <= first_day <= licence.valid_until and licence.valid_from <= last_day <= licence.valid_until:
                return p3mi
        for p3mi in self._active.values:
            if self.licences[p3mi].valid_on(first_day) and self.licences[p3mi].valid_on(last_day):
                return p3mi
        raise ValueError("no P3MI in the licence file is licensed over the simulated window")

    def unlicensed_p3mi(self, rng: Random, day: int) -> str:
        """A P3MI not licensed on ``day``: expired or not yet valid when one is, else suspended or revoked."""
        lapsed = [licence.p3mi_id for licence in self._active_licences if not licence.valid_on(day)]
        if lapsed and rng.random() < 0.5:
            return rng.choice(lapsed)
        return rng.choice(self._withdrawn)

    def minimum_wage(self, country: str, sector: str) -> dict | None:
        row = self.policy.get((country, sector))
        return row["min_monthly_wage"] if row else None

    def is_moratorium(self, country: str, sector: str) -> bool:
        row = self.policy.get((country, sector))
        return bool(row and row["moratorium"])

    def copy_to(self, out: Path) -> None:
        (out / "reference").mkdir(parents=True, exist_ok=True)
        for name in FILES.values():
            shutil.copyfile(self.directory / name, out / "reference" / name)


def _records(directory: Path, kind: str) -> list[dict]:
    with open(directory / FILES[kind], encoding="utf-8") as lines:
        rows = list(check_rows(KINDS[kind], lines))
    bad = [(line_no, problem) for line_no, _, problem in rows if problem is not None]
    if bad:
        line_no, problem = bad[0]
        raise ValueError(f"{directory / FILES[kind]} line {line_no}: {problem.reason}: {problem.message}")
    return [record for _, record, _ in rows]
