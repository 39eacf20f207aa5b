"""What the pipeline should hold for a batch of partner events: the pure fold per worker, with the open
alerts the rules give at the watermark the stream ends at."""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta

from domain.fold import fold
from domain.lifecycle import worker_id_for, worker_key
from domain.partner_json import from_json
from domain.reference_tables import ReferenceTables
from domain.rules import evaluate
from domain.rules.context import Context
from domain.rules.worker_history import WorkerHistory
from domain.state_document import to_document
from streams.alerting import partition_of

# Partitions a pipeline's workers share (TopicNames.consumed): three ingest topics, the by-worker,
# alerts and incidents topics, 4 each, and the validated events' one (identity resolution).
OWNED_PARTITIONS = 25
PARTITIONS = 4
LATENESS = timedelta(hours=1)  # domain.watermark.Watermark's default


def expected_states(sent: list[dict], reference: ReferenceTables = ReferenceTables()) -> dict[str, dict]:
    """Worker id → the fold of that worker's events (partner JSON form, any order, retries included), its
    open alerts as the rules find them once the stream has read everything: at the least of the
    by-worker partitions' highest event time minus the lateness (docs/alerts.md, "In the stream")."""
    by_worker = defaultdict(list)
    for event in map(from_json, sent):
        by_worker[worker_id_for(worker_key(event))].append(event)
    highest = defaultdict(list)
    for worker_id, events in by_worker.items():
        highest[partition_of(worker_id.encode(), PARTITIONS)] += [e["occurred_at"] for e in events]
    context = Context(reference, min(max(times) for times in highest.values()) - LATENESS)
    return {
        worker_id: fold(events, worker_id, open_alerts=evaluate(WorkerHistory.of(events, worker_id), context).open_rules)
        for worker_id, events in by_worker.items()
    }


def served(state: dict) -> dict:
    """The document as the API and Redis serve it: through JSON."""
    return json.loads(json.dumps(to_document(state)))
