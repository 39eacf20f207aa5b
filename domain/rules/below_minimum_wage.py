"""BELOW_MINIMUM_WAGE (WARNING) — a contract salary below the destination's minimum monthly wage for
the sector (destination policy ``min_monthly_wage``).

Contract salaries are on REGISTERED (the job order: destination_country, sector) and PLACED (the
embassy's contract: country, sector).
Fires: once per worker and contract terms (country, sector, amount, currency), at the event time
of the earliest event stating them, when the amount is below the minimum *in the same currency*.
Currencies differ: not compared, no finding — the reference data carries no exchange rates, and
converting at some rate would make a legal floor depend on the day's market. A country and
sector with no minimum, or an event with no salary, gives no finding either.
Resolves: never by an event — the contract said so; a changed minimum re-judges it (withdrawn
when it no longer holds, ``domain.alerts``).
Evidence: every event stating those terms. Subject: the worker.
"""
from __future__ import annotations

from decimal import Decimal

from domain import vocabulary as v
from domain.alerts import WARNING, Finding, finding
from domain.fold import Step
from domain.rules.context import Context
from domain.rules.worker_history import WorkerHistory, at, destination, key, payload

RULE = "BELOW_MINIMUM_WAGE"


def findings(worker: WorkerHistory, context: Context) -> list[Finding]:
    below: dict[tuple[str, str, str, str], list[Step]] = {}
    minimum_of = {}
    for step in worker.of_type(v.REGISTERED, v.PLACED):
        (country, sector), salary = destination(step), payload(step)["monthly_salary"]
        minimum = context.reference.minimum_wage(country, sector)
        if salary is None or minimum is None or salary["currency"] != minimum["currency"]:
            continue
        if salary["amount"] < minimum["amount"]:
            terms = (country, sector, str(salary["amount"]), salary["currency"])
            below.setdefault(terms, []).append(step)
            minimum_of[terms] = minimum["amount"]
    return [_below(worker, terms, steps, minimum_of[terms]) for terms, steps in below.items()]


def _below(worker: WorkerHistory, terms: tuple[str, str, str, str], steps: list[Step], minimum: Decimal) -> Finding:
    country, sector, amount, currency = terms
    return finding(
        RULE, WARNING, worker.subject, terms, at(steps[0]),
        f"{worker.worker_id}: contract salary {amount} {currency} a month as {sector} in {country}"
        f" is below the minimum {minimum} {currency}",
        [key(step) for step in steps], details={"salary": amount, "minimum": minimum, "currency": currency},
    )
