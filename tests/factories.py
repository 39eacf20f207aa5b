"""Valid partner events in the JSON form of DESIGN §3, for tests: synthetic people only."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

WIB = timezone(timedelta(hours=7))
REGENCIES = ("3502", "3505", "3507", "3573", "5201", "1801", "3301", "3201")


def make_worker(i: int) -> dict:
    """Worker ``i``: a structurally valid NIK for their regency, birth date and sex."""
    sex = "F" if i % 3 else "M"
    born = date(1985, 1, 1) + timedelta(days=(i * 97) % 6000)
    regency = REGENCIES[i % len(REGENCIES)]
    day = born.day + (40 if sex == "F" else 0)
    nik = f"{regency}{1 + i % 20:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{i % 10000:04d}"
    return {
        "nik": nik,
        "passport_no": f"C{1000000 + i:07d}",
        "local_id": f"REG-{i}",
        "full_name": f"PEKERJA SINTETIS {i}",
        "date_of_birth": born.isoformat(),
        "sex": sex,
        "origin_regency": regency,
    }


def departed(worker: dict, when: datetime, p3mi: str = "P3MI-0042", country: str = "MY") -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": "DEPARTED",
        "occurred_at": when.isoformat(),
        "source": {"kind": "P3MI", "id": p3mi},
        "worker": worker,
        "payload": {
            "destination_country": country,
            "sector": "PLANTATION",
            "job_order_id": "JO-1",
            "departure_port": "CGK",
            "social_security_no": "BPJS-1",
        },
    }


def registered(worker: dict, when: datetime, p3mi: str = "P3MI-0042", country: str = "MY") -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": "REGISTERED",
        "occurred_at": when.isoformat(),
        "source": {"kind": "P3MI", "id": p3mi},
        "worker": worker,
        "payload": {
            "job_order_id": "JO-1",
            "destination_country": country,
            "sector": "PLANTATION",
            "employer_name": "SYNTHETIC PLANTATION SDN BHD",
            "contract_months": 24,
            "monthly_salary": {"amount": 1700, "currency": "MYR"},
        },
    }


def journeys(workers: int, start: datetime = datetime(2026, 1, 5, 9, tzinfo=WIB)) -> list[dict]:
    """A REGISTERED then a DEPARTED event for each of ``workers`` workers, NIK-keyed."""
    events = []
    for i in range(workers):
        worker = {k: v for k, v in make_worker(i).items() if k != "passport_no"}
        events.append(registered(worker, start + timedelta(hours=i)))
        events.append(departed(worker, start + timedelta(days=20, hours=i)))
    return events


def _event(event_type: str, source: dict, worker: dict, when: datetime, payload: dict, i: int) -> dict:
    return {
        "event_id": f"{event_type.lower()}-{i}-{when:%Y%m%d%H}",
        "event_type": event_type,
        "occurred_at": when.isoformat(),
        "source": source,
        "worker": worker,
        "payload": payload,
    }


def full_journey(i: int, start: datetime = datetime(2025, 1, 6, 9, tzinfo=WIB)) -> list[dict]:
    """Worker ``i``'s journey across every event type, NIK-keyed, shaped by ``i``: training,
    registration, departure, placement, an extension or a case (resolved or not), a return, and
    for some a second departure. Deterministic; ids are unique per worker and event."""
    worker = make_worker(i)
    p3mi = {"kind": "P3MI", "id": f"P3MI-{i % 7:04d}"}
    embassy = {"kind": "EMBASSY", "id": "KBRI-KUALA-LUMPUR"}
    t = start + timedelta(hours=i)
    events = [
        _event("TRAINING_COMPLETED", {"kind": "TRAINING_CENTER", "id": "LPK-0001"}, worker, t,
               {"certificate_no": f"CERT-{i}", "competency": "PLANTATION", "issued_on": t.date().isoformat(),
                "valid_until": (t + timedelta(days=730)).date().isoformat()}, i),
        {**registered(worker, t + timedelta(days=5), p3mi["id"]), "event_id": f"registered-{i}"},
        {**departed(worker, t + timedelta(days=30), p3mi["id"]), "event_id": f"departed-{i}"},
    ]
    placed_on = (t + timedelta(days=33)).date()
    events.append(_event("PLACED", embassy, {"passport_no": worker["passport_no"], "nik": worker["nik"]}, t + timedelta(days=33),
                         {"country": "MY", "employer_name": f"SYNTHETIC ESTATE {i % 11}", "sector": "PLANTATION",
                          "contract_start": placed_on.isoformat(), "contract_end": (placed_on + timedelta(days=730)).isoformat()}, i))
    if i % 3 == 0:
        events.append(_event("CASE_REPORTED", embassy, worker, t + timedelta(days=90),
                             {"case_id": f"KL-{i}", "category": "UNPAID_WAGES", "employer_name": f"SYNTHETIC ESTATE {i % 11}"}, i))
        if i % 2 == 0:
            events.append(_event("CASE_RESOLVED", embassy, worker, t + timedelta(days=120), {"case_id": f"KL-{i}", "resolution": "paid"}, i))
    if i % 4 == 1:
        events.append(_event("PLACEMENT_UPDATED", embassy, worker, t + timedelta(days=400),
                             {"country": "MY", "contract_end": (placed_on + timedelta(days=1095)).isoformat(), "change": "EXTENDED"}, i))
    if i % 2 == 0:
        back = t + timedelta(days=200 + i % 300)
        reason = "EARLY_TERMINATION" if i % 6 == 0 else "CONTRACT_COMPLETED"
        events.append(_event("RETURNED", embassy, worker, back, {"country": "MY", "return_date": back.date().isoformat(), "reason": reason}, i))
        if i % 10 == 0:
            events.append({**departed(worker, back + timedelta(days=90), p3mi["id"], country="TW"), "event_id": f"departed-again-{i}"})
    return events


def write_jsonl(path: Path, events: list[dict]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path
