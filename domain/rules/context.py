"""What a rule is evaluated against besides the worker's events: reference data, watermark, thresholds."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.reference_tables import ReferenceTables
from domain.rules.thresholds import DEFAULTS, Thresholds


@dataclass(frozen=True)
class Context:
    reference: ReferenceTables = field(default_factory=ReferenceTables)
    watermark: datetime | None = None  # None: no deadline has passed yet
    thresholds: Thresholds = DEFAULTS

    def passed(self, due: datetime) -> bool:
        """True when the watermark has reached ``due``: events up to it are in, so it can be decided."""
        return self.watermark is not None and self.watermark >= due
