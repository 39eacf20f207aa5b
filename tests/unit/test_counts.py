from collections import Counter
from datetime import datetime, timedelta, timezone

from domain.counts import NO_STATUS, canonical_counts
from domain.fold import fold
from domain.partner_json import from_json
from tests.examples import example_event
from tests.factories import departed, make_worker, registered

T0 = datetime(2026, 1, 5, 9, tzinfo=timezone(timedelta(hours=7)))


def _state(i: int, *, depart: bool, country: str = "MY") -> dict:
    worker = make_worker(i)
    events = [registered(worker, T0, country=country)]
    if depart:
        events.append(departed(worker, T0 + timedelta(days=20), country=country))
    return fold([from_json(e) for e in events], f"W-{i}")


def test_only_workers_abroad_count_by_destination_province_and_sector_but_all_by_status():
    states = [_state(0, depart=True), _state(1, depart=True, country="TW"), _state(2, depart=False)]

    counts = canonical_counts(states)

    assert counts["status"] == {"DEPARTED": 2, "REGISTERED": 1}
    assert counts["country"] == {"MY": 1, "TW": 1}
    assert counts["sector"] == {"PLANTATION": 2}
    assert counts["province"] == Counter(make_worker(i)["origin_regency"][:2] for i in (0, 1))


def test_a_worker_known_only_from_a_case_report_is_counted_without_a_status():
    state = fold([example_event("CASE_REPORTED")], "W-3")

    assert canonical_counts([state])["status"] == {NO_STATUS: 1}
