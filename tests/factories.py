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


def write_jsonl(path: Path, events: list[dict]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path
