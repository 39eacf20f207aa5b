"""What the pipeline should hold for a batch of partner events: the pure fold, per worker."""
from __future__ import annotations

import json
from collections import defaultdict

from domain.fold import fold
from domain.lifecycle import worker_id_for, worker_key
from domain.partner_json import from_json
from domain.state_document import to_document

# Partitions a pipeline's workers share (TopicNames.consumed): three ingest topics, the by-worker
# topic and the alerts topic, 4 each, and the validated events' one (identity resolution).
OWNED_PARTITIONS = 21


def expected_states(sent: list[dict]) -> dict[str, dict]:
    """Worker id → the fold of that worker's events (partner JSON form, any order, retries included)."""
    by_worker = defaultdict(list)
    for event in map(from_json, sent):
        by_worker[worker_id_for(worker_key(event))].append(event)
    return {worker_id: fold(events, worker_id) for worker_id, events in by_worker.items()}


def served(state: dict) -> dict:
    """The document as the API and Redis serve it: through JSON."""
    return json.loads(json.dumps(to_document(state)))
