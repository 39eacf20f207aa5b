"""The counts topic's records (``domain.count_records``): one per cell, causes that sum to the difference,
and diffs that bring a compacted topic from one population's records to another's."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from domain.count_records import STATUS, Count, all_counts, applied, changes
from domain.counts import ABROAD_DIMENSIONS, canonical_counts
from domain.fold import fold
from domain.reconciliation import CANONICAL, NOT_SEEN_BY_SOURCE, population
from domain.source_records import SOURCES
from tests.unit.test_fold import departure, placement
from tests.unit.test_reconciliation import populations


def counts_of(states) -> dict:
    return all_counts(population(states), canonical_counts(states)["status"])


def test_a_departure_no_embassy_confirmed_is_one_record_per_view_and_the_status():
    records = counts_of([fold([departure(0)], "W-1")])
    assert records["country", "MY", CANONICAL] == Count("country", "MY", CANONICAL, 1)
    assert records["country", "MY", "P3MI"] == Count("country", "MY", "P3MI", 1)
    assert records["country", "MY", "EMBASSY"] == Count("country", "MY", "EMBASSY", 0, {NOT_SEEN_BY_SOURCE: -1})
    assert records[STATUS, "DEPARTED", CANONICAL] == Count(STATUS, "DEPARTED", CANONICAL, 1)
    assert not any(view != CANONICAL for dimension, _, view in records if dimension == STATUS)
    assert Count("country", "MY", "EMBASSY", 0).topic_key == "country|MY|EMBASSY"


def test_only_changes_are_sent_and_a_vanished_cell_drops_to_zero_once():
    departed = counts_of([fold([departure(0)], "W-1")])
    placed = counts_of([fold([placement(1, country="TW")], "W-1")])  # seen by the embassy only
    assert changes(departed, departed) == []
    sent = changes(departed, placed)
    assert Count("country", "MY", "P3MI", 0) in sent and Count(STATUS, "DEPARTED", CANONICAL, 0) in sent
    assert placed["country", "TW", CANONICAL] in sent
    province = next(key for dimension, key, _ in departed if dimension == "province")
    assert not any(c.cell == ("province", province, CANONICAL) for c in sent)  # unchanged: the same person's province
    topic = applied(departed, sent)
    assert changes(topic, placed) == []  # the zeros are on the topic: not sent again
    assert departed[STATUS, "DEPARTED", CANONICAL] in changes(topic, departed)  # a zeroed cell coming back


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations(), populations())
def test_causes_sum_to_the_difference_and_diffs_bring_the_topic_from_one_population_to_another(first, second):
    (_, before), (_, after) = first, second
    old, new = counts_of(before), counts_of(after)
    canonical = canonical_counts(after)
    for (dimension, key, view), record in new.items():
        if view != CANONICAL:
            assert dimension in ABROAD_DIMENSIONS and view in SOURCES
            assert record.count - new[dimension, key, CANONICAL].count == sum(record.causes.values())
            assert all(record.causes.values())
        else:
            assert record.causes == {}
            assert all((dimension, key, kind) in new for kind in SOURCES) or dimension == STATUS
    for dimension in (*ABROAD_DIMENSIONS, STATUS):
        held = {key: c.count for (d, key, view), c in new.items() if d == dimension and view == CANONICAL and c.count}
        assert held == dict(canonical[dimension])

    topic = applied({}, changes({}, old))
    assert topic == old
    topic = applied(topic, changes(topic, new))
    assert topic == {**{cell: Count(*cell, 0) for cell in old.keys() - new.keys()}, **new}
    assert changes(topic, new) == []
