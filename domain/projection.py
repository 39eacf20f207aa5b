"""What the Redis projection holds for one worker state: plain data, no Redis.

The live writer (after every event) and ``pantau redis rebuild`` (from the worker-state topic)
both write what ``project`` returns, so a rebuilt Redis cannot differ from the live one.

Key layout, every key under the pipeline's prefix (``PANTAU_TOPIC_PREFIX``):

* ``worker:{worker_id}`` — hash: flat masked fields for dashboards, the indexed values, and
  ``document``, the DESIGN §4 JSON (masked), so episodes render without Kafka.
* ``lookup:{nik|passport}:{digest}`` — string: the worker id; a digest, never the number.
* ``idx:{index}:{value}`` — set of worker ids, e.g. ``idx:status:PLACED``.
* ``count:{index}`` — hash value → workers, always the cardinality of ``idx:{index}:{value}``.
* ``moved:{worker_id}`` — string: the worker a merged-away worker became (identity resolution);
  its hash is gone and it is in no set, so counts hold each person once. Not in ``NAMESPACES``:
  the worker-state topic has only a tombstone for it, so a rebuild keeps the pointers (a
  merged-away id never comes back, so a pointer never goes stale).
* Reconciliation (``domain.reconciliation``): ``contrib:{worker_id}`` — hash: the worker's
  contributions and its pieces of source records, as last written (what a rewrite replaces);
  ``record:{kind}:{digest}`` — hash: worker id → that worker's piece of one source record, and
  ``=`` the record's own contributions; ``recon:{dimension}`` — hash ``value|view[|cause]`` → n,
  the sums ``pantau reconcile`` reads.

Personal data is masked on the way in (UU 27/2022): NIK and passport as their last four
characters, the name as initials, the birth date as its year.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from domain.masking import initials, lookup_digest, mask_identifier
from domain.state_document import to_document
from domain.vocabulary import NO_STATUS

# Each is also a field of the worker's hash: the hash remembers which sets the worker is in.
INDEXES = ("status", "country", "province", "sector")
# The first segment of every key the projection owns, for deleting exactly those.
NAMESPACES = ("worker", "lookup", "idx", "count", "contrib", "record", "recon")
LOOKUP_KINDS = {"nik": "niks", "passport": "passports"}


@dataclass(frozen=True)
class WorkerProjection:
    worker_id: str
    fields: dict[str, str]
    lookups: tuple[tuple[str, str], ...]  # (lookup kind, digest of the identifier)

    @property
    def memberships(self) -> dict[str, str]:
        """index → value: the sets the worker is in; each adds one to ``count:{index}`` at that value."""
        return {index: self.fields[index] for index in INDEXES if index in self.fields}


def project(state: dict) -> WorkerProjection:
    return WorkerProjection(state["worker_id"], worker_fields(state), lookups(state))


def worker_fields(state: dict) -> dict[str, str]:
    """The worker's hash: strings only, an absent value is an absent field, personal data masked."""
    episode = state["current_episode"] or {}
    fields = {
        "worker_id": state["worker_id"],
        "status": state["status"] or NO_STATUS,  # so that count:status counts every worker
        "niks": ",".join(mask_identifier(n) for n in state["identifiers"]["niks"]),
        "passports": ",".join(mask_identifier(p) for p in state["identifiers"]["passports"]),
        "name": initials(state["full_name"]),
        "birth_year": state["date_of_birth"].year if state["date_of_birth"] else None,
        "sex": state["sex"],
        "origin_regency": state["origin_regency"],
        "province": province_of(state["origin_regency"]),
        "country": episode.get("country"),
        "sector": episode.get("sector"),
        "last_event_at": state["last_event_at"].isoformat(),
        "event_count": state["event_count"],
        # Sorted keys: the fold and the Avro decoder order a state's keys differently.
        "document": json.dumps(to_document(state), sort_keys=True, ensure_ascii=False, separators=(",", ":")),
    }
    return {name: str(value) for name, value in fields.items() if value is not None and value != ""}


def province_of(regency: str | None) -> str | None:
    """A Kemendagri regency code opens with its province's two digits: ``3573`` → ``35``."""
    return regency[:2] if regency else None


def lookups(state: dict) -> tuple[tuple[str, str], ...]:
    identifiers = state["identifiers"]
    return tuple(
        (kind, lookup_digest(identifier)) for kind, listed in LOOKUP_KINDS.items() for identifier in identifiers[listed]
    )
