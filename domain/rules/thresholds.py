"""The rules' thresholds (DESIGN §5: "thresholds are configuration"): one frozen set of defaults."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Thresholds:
    minimum_age: int = 18  # UU 18/2017
    placement_within: timedelta = timedelta(days=14)  # UNCONFIRMED_PLACEMENT
    overstay_after: timedelta = timedelta(days=30)  # OVERSTAY: after the contract's last day
    case_open_for: timedelta = timedelta(days=30)  # CASE_UNRESOLVED
    # SPIKE (domain.rules.spike): a sliding window against the subject's own weekly rate.
    spike_window: timedelta = timedelta(days=7)
    spike_baseline: timedelta = timedelta(days=56)  # the history the expected rate is learnt from
    spike_min_history: timedelta = timedelta(days=14)  # no SPIKE before the pipeline has this much
    spike_floor: float = 0.5  # the least expected count per window: a quiet subject is not a silent one
    spike_min_count: int = 5  # fewer incidents than this in a window are never a SPIKE
    spike_p_value: float = 1e-5  # how unlikely the count must be under the expected rate (Poisson)
    # How far behind the watermark its incidents were sent at a SPIKE subject settles (bounding its
    # state, domain.subject_alerts); None: never. Off by default: replaying a backlog, the identity
    # agent reads the validated partitions at different speeds, so a by-worker partition's events are
    # not in event-time order and the watermark bounds no lateness — settled at 120 days, the
    # 100,000-worker demo found 1 of 5 SPIKEs (5 of 5 without). Safe once the watermark is carried
    # through the identity hop; until then, only where events arrive live.
    spike_settle_after: timedelta | None = None


DEFAULTS = Thresholds()
