"""One worker's events by day number, in the in-memory form (``from_json``), for the rules' tests.

Every builder takes the day (since ``T0``) and payload changes in partner JSON; the defaults make
a journey that raises nothing with ``REFERENCE``: trained, registered and departed through a
licensed P3MI to Malaysia as a domestic worker at the minimum wage, with BPJS, placed on day 3.
"""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import partial

from domain import vocabulary as v
from domain.alerts import Finding
from domain.partner_json import from_json
from domain.reference_tables import ReferenceTables
from domain.rules import evaluate
from domain.rules.context import Context
from domain.rules.worker_history import WorkerHistory
from tests.examples import SOURCE_OF
from tests.factories import make_worker

T0 = datetime(2026, 3, 2, 1, tzinfo=timezone.utc)
WORKER = make_worker(7)  # a woman born 1986-11-11
WORKER_ID = "W-test"
PAYLOADS = {
    v.TRAINING_COMPLETED: {"certificate_no": "CERT-1", "competency": "DOMESTIC_WORKER", "issued_on": "2026-01-10",
                           "valid_until": "2029-01-09"},
    v.REGISTERED: {"job_order_id": "JO-1", "destination_country": "MY", "sector": "DOMESTIC_WORKER",
                   "employer_name": "Tan Sdn Bhd", "contract_months": 24,
                   "monthly_salary": {"amount": "1500.00", "currency": "MYR"}},
    v.DEPARTED: {"destination_country": "MY", "sector": "DOMESTIC_WORKER", "job_order_id": "JO-1",
                 "departure_port": "CGK", "social_security_no": "BPJS-1"},
    v.PLACED: {"country": "MY", "employer_name": "Tan Sdn Bhd", "employer_address": "Jalan 1", "sector": "DOMESTIC_WORKER",
               "contract_end": "2028-03-04", "monthly_salary": {"amount": "1500.00", "currency": "MYR"}},
    v.PLACEMENT_UPDATED: {"country": "MY", "employer_name": "Tan Sdn Bhd", "contract_end": "2030-03-04", "change": "EXTENDED"},
    v.CASE_REPORTED: {"case_id": "KL-1", "category": "UNPAID_WAGES", "employer_name": "Tan Sdn Bhd"},
    v.CASE_RESOLVED: {"case_id": "KL-1", "resolution": "paid"},
    v.RETURNED: {"country": "MY", "reason": "CONTRACT_COMPLETED"},
}
REFERENCE = ReferenceTables.of(
    licences=[
        {"p3mi_id": "P3MI-0042", "name": "PT SINTETIS A", "status": "ACTIVE", "valid_from": date(2024, 1, 1),
         "valid_until": date(2028, 12, 31)},
        {"p3mi_id": "P3MI-0077", "name": "PT SINTETIS B", "status": "SUSPENDED", "valid_from": date(2024, 1, 1),
         "valid_until": date(2028, 12, 31)},
    ],
    policies=[
        {"country": "MY", "sector": "DOMESTIC_WORKER", "moratorium": False,
         "min_monthly_wage": {"amount": Decimal("1500.00"), "currency": "MYR"}},
        {"country": "SA", "sector": "DOMESTIC_WORKER", "moratorium": True, "min_monthly_wage": None},
    ],
)
_ids = itertools.count()


def moment(day: float) -> datetime:
    return T0 + timedelta(days=day)


def event(event_type: str, day: float, *, worker: dict | None = None, source_id: str | None = None,
          event_id: str | None = None, **payload) -> dict:
    source = dict(SOURCE_OF[event_type])
    if source_id:
        source["id"] = source_id
    return from_json({
        "event_id": event_id or f"E-{next(_ids)}",
        "event_type": event_type,
        "occurred_at": moment(day).isoformat(),
        "source": source,
        "worker": dict(WORKER if worker is None else worker),
        "payload": {**PAYLOADS[event_type], **payload},
    })


training = partial(event, v.TRAINING_COMPLETED)
registration = partial(event, v.REGISTERED)
departure = partial(event, v.DEPARTED)
placement = partial(event, v.PLACED)
update = partial(event, v.PLACEMENT_UPDATED)
case = partial(event, v.CASE_REPORTED)
resolution = partial(event, v.CASE_RESOLVED)
homecoming = partial(event, v.RETURNED)


def clean_journey() -> list[dict]:
    """Trained, registered, departed on day 0, placed on day 3: nothing to alert on."""
    return [training(-30), registration(-20), departure(0), placement(3)]


def findings(events, rule: str | None = None, *, watermark: float | None = None,
             reference: ReferenceTables = REFERENCE) -> list[Finding]:
    """The findings for ``events`` (of ``rule``, when given) with the watermark at day ``watermark``."""
    context = Context(reference, None if watermark is None else moment(watermark))
    found = evaluate(WorkerHistory.of(events, WORKER_ID), context).findings
    return [f for f in found if rule is None or f.rule == rule]
