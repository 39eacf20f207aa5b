"""How much of each kind of real-world mess and of each injected anomaly a population gets.

One frozen dataclass of defaults; ``pantau simulate --rate NAME=VALUE`` overrides any of them.
A share is a probability in [0, 1] (per person, per episode or per event, as each field
says); a delay is a mean in days (>= 0). The defaults are synthetic: chosen so a population of
10,000 shows every kind of mess and every rule a few times without drowning the normal journeys.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

# Fields that are mean delays in days rather than shares.
_DELAYS = frozenset({"training_center_delay_days", "p3mi_delay_days", "embassy_delay_days", "retry_delay_days"})


@dataclass(frozen=True)
class Rates:
    # --- the mess -------------------------------------------------------------------------
    retry: float = 0.03  # per event: the partner sends it again (same id and content, later)
    training_center_delay_days: float = 2.0  # mean arrival delay after the event time
    p3mi_delay_days: float = 0.5
    embassy_delay_days: float = 12.0  # embassies report late
    retry_delay_days: float = 1.0
    embassy_passport_only: float = 0.5  # per embassy event: the worker carries only the passport
    passport_renewal: float = 0.04  # per placement: renewed mid-placement, later reports carry the new number
    name_variant: float = 0.10  # per event: the name spelt differently
    nik_typo: float = 0.005  # per person: one P3MI report carries a mistyped (still valid) NIK
    repeat_migrant: float = 0.25  # per return: the person goes abroad again
    non_procedural: float = 0.04  # per person: seen only by an embassy
    unconfirmed_departure: float = 0.02  # per person: a P3MI departure no embassy ever confirms
    p3mi_reports_return: float = 0.3  # per return: the P3MI reports it too
    case: float = 0.04  # per placement: a case (complaint) is reported
    extension: float = 0.10  # per placement: the contract is extended before it ends
    employer_change: float = 0.03  # per placement: the worker changes employer
    malformed: float = 0.002  # per person: one message of theirs arrives broken
    # --- injected anomalies, per person (DESIGN §5) -----------------------------------------
    underage: float = 0.002
    no_training: float = 0.002
    late_certificate: float = 0.002  # departs untrained; the certificate (issued before) is reported later
    no_social_security: float = 0.002
    unlicensed_p3mi: float = 0.002
    moratorium: float = 0.002
    late_placement: float = 0.002  # placed only 20-45 days after departure
    overstay: float = 0.003
    case_unresolved: float = 0.002
    identity_conflict: float = 0.002
    impossible_sequence: float = 0.002
    below_minimum_wage: float = 0.002
    spike_per_workers: float = 1 / 20_000  # SPIKE episodes (employer cases, P3MI early terminations)

    def replaced(self, overrides: dict[str, str]) -> "Rates":
        """These rates with ``NAME=VALUE`` overrides parsed; ValueError (one line) for a bad one."""
        known = {f.name for f in fields(self)}
        values = {}
        for name, raw in overrides.items():
            if name not in known:
                raise ValueError(f"unknown rate {name!r}; known: {', '.join(sorted(known))}")
            try:
                value = float(raw)
            except ValueError:
                raise ValueError(f"rate {name} must be a number, not {raw!r}") from None
            upper = float("inf") if name in _DELAYS else 1.0
            if not 0.0 <= value <= upper:
                what = "a delay in days >= 0" if name in _DELAYS else "a share between 0 and 1"
                raise ValueError(f"rate {name} must be {what}, not {raw}")
            values[name] = value
        return replace(self, **values)


def parse_overrides(items: list[str]) -> dict[str, str]:
    """``["retry=0.1", …]`` → ``{"retry": "0.1"}``; ValueError for an item without ``=``."""
    overrides = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--rate takes NAME=VALUE, not {item!r}")
        overrides[name.strip()] = value.strip()
    return overrides


# Anomaly roles (a person gets at most one), in the order they are drawn.
ANOMALY_ROLES = (
    "underage", "no_training", "late_certificate", "no_social_security", "unlicensed_p3mi", "moratorium",
    "late_placement", "overstay", "case_unresolved", "identity_conflict", "impossible_sequence",
    "below_minimum_wage",
)
