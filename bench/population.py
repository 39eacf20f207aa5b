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
    """``count`` synthetic workers with distinct NIKs (``make_worker``'s repeat after some tens of
    thousands), after the first ``skip`` such."""
    found, seen, i = [], set(), 0
    while len(found) < skip + count:
        worker = make_worker(i)
        if worker["nik"] not in seen:
            seen.add(worker["nik"])
            found.append(worker)
        i += 1
    return found[skip:]


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
