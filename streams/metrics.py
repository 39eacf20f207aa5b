"""Prometheus metrics of a worker process (DESIGN §7), served at ``/metrics``."""
from __future__ import annotations

from functools import cache

from prometheus_client import Counter, Gauge, Histogram

EVENTS = Counter(
    "pantau_events_total",
    "Partner events read from the ingest topics, by outcome (accepted, dead_letter, duplicate, applied).",
    ["source_kind", "event_type", "outcome"],
)


@cache
def events(source_kind: str, event_type: str, outcome: str):
    """The ``EVENTS`` series of these labels, looked up once: a lookup costs as much as a tenth of
    an event's validation. Callers pass only known label values, so the cache stays small."""
    return EVENTS.labels(source_kind, event_type, outcome)


DEAD_LETTERS = Counter("pantau_dead_letters_total", "Events sent to the dead-letter topic, by reason code.", ["reason"])
PROCESSING_SECONDS = Histogram(
    "pantau_processing_seconds",
    "Wall time from the start of handling an event's batch until its worker's state is folded and written to the "
    "state topic and the Redis projection.",
    # Up to seconds: an event waits for its whole batch (streams.batches).
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 2.5, 5.0),
)
ASSIGNED_PARTITIONS = Gauge(
    "pantau_assigned_partitions",
    "Partitions of the consumed topics (ingest, validated, by-worker, alerts) this worker process owns after the last rebalance.",
)
CONSUMER_LAG = Gauge(
    "pantau_consumer_lag",
    "Records not yet committed by the consumer group, per partition of the consumed topics this "
    "worker process owns (end offset minus committed offset), as of the last health sample.",
    ["topic", "partition"],
)
IDENTITY_DECISIONS = Counter(
    "pantau_identity_decisions_total",
    "Events resolved to a canonical worker, by what linked them (NIK, PASSPORT, LOCAL, MATCH, NEW).",
    ["how"],
)
MERGE_MESSAGES = Counter(
    "pantau_merge_messages_total",
    "Messages a merge puts on the by-worker topic (a move to the merged-away worker, and each event the move "
    "forwards to the survivor), by kind (move, forwarded) and side (sent; received by the lifecycle). Sent above "
    "received across the worker processes: a merge is still in flight.",
    ["kind", "side"],
)
IDENTITY_MERGES = Counter(
    "pantau_identity_merges_total", "Canonical workers merged into another one (identity resolution)."
)
ALERTS = Counter(
    "pantau_alerts_total",
    "Alerts raised: published for the first time under their id by this worker process (a later record of the "
    "same alert, RESOLVED or withdrawn, is not counted again).",
    ["rule", "severity"],
)


@cache
def alerts(rule: str, severity: str):
    return ALERTS.labels(rule, severity)
