"""A worker's lifecycle state as a fold of their events (DESIGN §4).

The state is a plain dict in the shape of the ``worker_state`` Avro schema. ``apply`` folds one
validated event in; the event's ``SOURCEID:EVENTID`` is remembered, so a partner's retry has no
further effect. For the spine the fold keeps identifiers, the latest stage by event time and the
counters; placement episodes come with the full lifecycle.
"""
from __future__ import annotations

import hashlib

# The stage an event puts a worker in; events not listed (cases, updates) leave the stage alone.
STAGE_OF_EVENT = {
    "REGISTERED": "REGISTERED",
    "TRAINING_COMPLETED": "TRAINED",
    "DEPARTED": "DEPARTED",
    "PLACED": "PLACED",
    "RETURNED": "RETURNED",
}


def event_key(event: dict) -> str:
    """What makes an event unique: ``event_id`` is unique per source, not globally."""
    return f"{event['source']['id']}:{event['event_id']}"


def worker_key(event: dict) -> str:
    """The strongest identifier the event carries. Identity resolution replaces this later."""
    worker = event["worker"]
    if worker.get("nik"):
        return f"NIK:{worker['nik']}"
    if worker.get("passport_no"):
        return f"PASSPORT:{worker['passport_no']}"
    return f"LOCAL:{event['source']['id']}:{worker['local_id']}"


def worker_id_for(key: str) -> str:
    """A stable id that does not reveal the identifier it was derived from."""
    return "W-" + hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def initial_state(worker_id: str) -> dict:
    return {
        "worker_id": worker_id,
        "identifiers": {"niks": [], "passports": [], "local_ids": []},
        "full_name": None,
        "date_of_birth": None,
        "sex": None,
        "origin_regency": None,
        "status": None,
        "current_episode": None,
        "episodes": [],
        "certificates": [],
        "social_security_no": None,
        "open_cases": [],
        "open_alerts": [],
        "last_event_at": None,
        "event_count": 0,
        "event_ids": [],
        "merged_from": [],
    }


def apply(state: dict, event: dict) -> dict | None:
    """The state after ``event``, or None when the event was already folded in."""
    key = event_key(event)
    if key in state["event_ids"]:
        return None
    worker = event["worker"]
    identifiers = state["identifiers"]
    new = {
        **state,
        "identifiers": {
            "niks": _with(identifiers["niks"], worker.get("nik")),
            "passports": _with(identifiers["passports"], worker.get("passport_no")),
            "local_ids": _with(
                identifiers["local_ids"],
                worker.get("local_id") and f"{event['source']['id']}:{worker['local_id']}",
            ),
        },
        "event_ids": sorted([*state["event_ids"], key]),
        "event_count": state["event_count"] + 1,
    }
    is_latest = state["last_event_at"] is None or event["occurred_at"] >= state["last_event_at"]
    if is_latest:
        new["last_event_at"] = event["occurred_at"]
        for field in ("full_name", "date_of_birth", "sex", "origin_regency"):
            new[field] = worker.get(field) or state[field]
        new["status"] = STAGE_OF_EVENT.get(event["event_type"], state["status"])
    return new


def _with(values: list[str], value: str | None) -> list[str]:
    if not value or value in values:
        return values
    return sorted([*values, value])
