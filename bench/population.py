"""Synthetic workers seen once each: a population whose size in state is exactly its event count.

The recovery, memory and latency scenarios need many workers in state quickly; a full journey
(``tests.factories.full_journey``) is ~5 events per worker, so one REGISTERED each (or, to raise
an alert, a RETURNED with no departure on record) reaches K workers in K events."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from streams.publish import publish
from streams.settings import Settings
from tests.factories import make_worker, registered, write_jsonl


def new_workers(count: int, skip: int = 0) -> list[dict]:
    """``count`` synthetic workers (``make_worker``), numbered from ``skip``, with distinct NIKs for up to
    1,000,000: ``make_worker``'s NIKs repeat every 30,000, so the district and serial digits (which no
    check reads) are set from the number instead."""
    if skip + count > 1_000_000:
        raise ValueError("at most 1,000,000 distinct workers")
    workers = []
    for i in range(skip, skip + count):
        worker = make_worker(i)
        nik = worker["nik"]
        workers.append({**worker, "nik": f"{nik[:4]}{i // 10_000:02d}{nik[6:12]}{i % 10_000:04d}"})
    return workers


def first_event(n: int, worker: dict, now: datetime, alert: bool = False) -> dict:
    """Partner JSON: a REGISTERED, or with ``alert`` a RETURNED with no departure on record
    (RETURN_WITHOUT_DEPARTURE)."""
    when = now - timedelta(minutes=5)  # the past, whatever the clocks: a future event is a dead letter
    if not alert:
        return {**registered(worker, when), "event_id": f"first-{n}"}
    return {"event_id": f"first-{n}", "event_type": "RETURNED", "occurred_at": when.isoformat(),
            "source": {"kind": "EMBASSY", "id": "KBRI-KUALA-LUMPUR"}, "worker": worker,
            "payload": {"country": "MY", "return_date": when.date().isoformat(), "reason": "CONTRACT_COMPLETED"}}


async def publish_first_events(settings: Settings, path: Path, workers: list[dict], start: int = 0) -> list[dict]:
    """Each worker's ``first_event`` (numbered from ``start``) on the ingest topics; returns the events."""
    now = datetime.now(timezone.utc)
    events = [first_event(start + n, worker, now) for n, worker in enumerate(workers)]
    await publish(settings, str(write_jsonl(path, events)))
    return events
