"""Who an event is about: its own key, the worker key it carries, and a worker id from that key.

The worker's state is folded from their events in ``domain.fold``. Until identity resolution,
an event belongs to the worker of its strongest identifier (``worker_key``).
"""
from __future__ import annotations

import hashlib


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
