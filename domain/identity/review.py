"""POSSIBLE_DUPLICATE: a record scored between the review and match weights against a worker it
did not join (``Decision.review``). Not a merge — a person should look. An INFO alert about the
new worker, naming the candidates; its id is the worker and the candidates, so re-processing
the record raises the same alert, never a second one."""
from __future__ import annotations

from datetime import datetime

from domain.alerts import INFO, WORKER, Finding, Subject, finding
from domain.identity.resolver import Decision

RULE = "POSSIBLE_DUPLICATE"


def possible_duplicate(decision: Decision, event_key: str, occurred_at: datetime) -> Finding | None:
    """The review alert a decision asks for, or None."""
    if not decision.review:
        return None
    candidates = ", ".join(decision.review)
    return finding(
        RULE,
        INFO,
        Subject(WORKER, decision.worker_id),
        decision.review,
        occurred_at,
        f"{decision.worker_id} may be the same person as {candidates} (match score {decision.score:.1f}): review",
        [event_key],
        details={"candidates": candidates, "score": f"{decision.score:.1f}"},
    )
