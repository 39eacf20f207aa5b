"""One valid partner event of each type, built on DESIGN §3's example: the shared test vocabulary.

``example_json`` gives the partner JSON form, ``example_event`` the in-memory form the codec
reads and writes. Tests change what they need on a fresh copy.
"""
from __future__ import annotations

import copy

from domain import vocabulary as v
from domain.partner_json import from_json

DESIGN_WORKER = {
    "nik": "3573014507950001",  # a woman born 1995-07-05, from Kota Malang
    "passport_no": "C1234567",
    "local_id": "REG-88121",
    "full_name": "SITI AMINAH",
    "date_of_birth": "1995-07-05",
    "sex": "F",
    "origin_regency": "3573",
}
SOURCE_OF = {
    v.TRAINING_COMPLETED: {"kind": "TRAINING_CENTER", "id": "LPK-0007"},
    v.REGISTERED: {"kind": "P3MI", "id": "P3MI-0042"},
    v.DEPARTED: {"kind": "P3MI", "id": "P3MI-0042"},
    v.PLACED: {"kind": "EMBASSY", "id": "KBRI-KUALA-LUMPUR"},
    v.PLACEMENT_UPDATED: {"kind": "EMBASSY", "id": "KBRI-KUALA-LUMPUR"},
    v.CASE_REPORTED: {"kind": "EMBASSY", "id": "KBRI-KUALA-LUMPUR"},
    v.CASE_RESOLVED: {"kind": "EMBASSY", "id": "KBRI-KUALA-LUMPUR"},
    v.RETURNED: {"kind": "EMBASSY", "id": "KBRI-KUALA-LUMPUR"},
}
JSON_PAYLOADS = {
    v.TRAINING_COMPLETED: {"certificate_no": "CERT-1", "competency": "CAREGIVER", "issued_on": "2026-01-10", "valid_until": "2029-01-09"},
    v.REGISTERED: {
        "job_order_id": "JO-7781",
        "destination_country": "TW",
        "sector": "CAREGIVER",
        "employer_name": "Lin Family",
        "contract_months": 24,
        "monthly_salary": {"amount": 20000, "currency": "TWD"},
    },
    v.DEPARTED: {"destination_country": "MY", "sector": "DOMESTIC_WORKER", "job_order_id": "JO-7781", "departure_port": "CGK"},
    v.PLACED: {
        "country": "MY",
        "employer_name": "Tan Sdn Bhd",
        "employer_address": "Jalan 1, Kuala Lumpur",
        "sector": "DOMESTIC_WORKER",
        "contract_start": "2026-03-05",
        "contract_end": "2028-03-04",
        "monthly_salary": {"amount": "1500.00", "currency": "MYR"},
    },
    v.PLACEMENT_UPDATED: {"country": "MY", "contract_end": "2030-03-04", "change": "EXTENDED"},
    v.CASE_REPORTED: {"case_id": "KL-2026-0012", "category": "ABUSE", "employer_name": "Tan Sdn Bhd"},
    v.CASE_RESOLVED: {"case_id": "KL-2026-0012", "resolution": "employer sanctioned"},
    v.RETURNED: {"country": "MY", "return_date": "2026-02-28", "reason": "DEPORTED"},
}


def example_json(event_type: str = v.DEPARTED) -> dict:
    """A fresh valid partner JSON event of ``event_type``."""
    return {
        "event_id": "3f0c2c1e-0d3a-4f55-9a43-2b1f1c1a7e01",
        "event_type": event_type,
        "occurred_at": "2026-03-01T08:00:00+07:00",
        "source": dict(SOURCE_OF[event_type]),
        "worker": dict(DESIGN_WORKER),
        "payload": copy.deepcopy(JSON_PAYLOADS[event_type]),
    }


def example_event(event_type: str = v.DEPARTED) -> dict:
    """The same event in the in-memory form."""
    return from_json(example_json(event_type))
