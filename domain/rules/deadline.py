"""What the timed rules share (UNCONFIRMED_PLACEMENT, OVERSTAY, CASE_UNRESOLVED): a cause that becomes
an alert when nothing answers it by a deadline, decided only once the watermark has passed it.

* answered at or before ``due`` → no alert, ever;
* not answered by ``due``, watermark before ``due`` → nothing yet: ``due`` is a pending deadline;
* not answered by ``due``, watermark at or past it → OPEN at ``due`` (event time), RESOLVED at the
  answer's event time once an answer is on record — however late it arrived.

So the finding is a function of the events and the watermark, and moves only forward as the
watermark does: replaying history in one go and living through it give the same alerts.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from domain.alerts import Finding, Subject, finding
from domain.rules.context import Context


@dataclass(frozen=True)
class Deadline:
    rule: str
    severity: str
    subject: Subject
    cause: tuple[str, ...]
    due: datetime
    answered_at: datetime | None  # the earliest event time at which the cause was answered
    message: str
    evidence: tuple[str, ...]
    details: dict = field(default_factory=dict)

    @property
    def missed(self) -> bool:
        """True when nothing answered the cause by its deadline."""
        return self.answered_at is None or self.answered_at > self.due

    def finding(self, context: Context) -> Finding | None:
        if not (self.missed and context.passed(self.due)):
            return None
        return finding(
            self.rule, self.severity, self.subject, self.cause, self.due, self.message, self.evidence,
            resolved_at=self.answered_at, details=self.details,
        )


def findings(deadlines: Iterable[Deadline], context: Context) -> list[Finding]:
    return [f for deadline in deadlines if (f := deadline.finding(context)) is not None]


def pending(deadlines: Iterable[Deadline], context: Context) -> list[datetime]:
    """The deadlines still to be decided: missed so far, and not yet passed by the watermark."""
    return [d.due for d in deadlines if d.missed and not context.passed(d.due)]

