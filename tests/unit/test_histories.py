"""The lifecycle table's values (streams.histories): what they hold, and that the cache never outvotes the table."""
from __future__ import annotations

import random

from domain.fold import history
from domain.partner_json import from_json
from streams.codec import AvroCodec
from streams.histories import EMPTY, Histories
from tests.factories import full_journey

EVENTS = AvroCodec.named("partner_event")
KEY = b"W-1"


def grown(events: list[dict]):
    kept = EMPTY
    for event in events:
        kept = kept.with_event(event, EVENTS.encode(event)) or kept
    return kept


def test_a_history_is_the_fold_order_of_its_events_each_with_its_own_bytes():
    events = [from_json(e) for e in full_journey(6)]
    shuffled = random.Random(1).sample(events, len(events))
    kept = grown(shuffled + shuffled[:2])  # with two retries
    assert kept.events == history(events)
    assert [EVENTS.decode(data) for data in kept.encoded] == kept.events


def test_an_edited_retry_that_the_fold_prefers_brings_its_own_bytes():
    first = from_json(full_journey(5)[1])  # REGISTERED
    edited = {**first, "payload": (first["payload"][0], {**first["payload"][1], "contract_months": 12})}
    for arrival in ([first, edited], [edited, first]):
        kept = grown(arrival)
        assert kept.events == history([first, edited])
        assert [EVENTS.decode(data) for data in kept.encoded] == kept.events


def test_a_retry_adds_nothing():
    event = from_json(full_journey(2)[0])
    kept = grown([event])
    assert kept.with_event(event, EVENTS.encode(event)) is None


def test_the_table_value_reads_back_as_the_history_it_was_written_from():
    kept = grown([from_json(e) for e in full_journey(3)])
    stored = Histories(EVENTS).encode(KEY, kept)
    assert Histories(EVENTS).read(KEY, stored) == kept  # a fresh process: decoded from the bytes
    assert Histories(EVENTS).read(KEY, None) == EMPTY


def test_a_cached_history_is_used_only_while_the_table_holds_its_bytes():
    histories = Histories(EVENTS)
    journey = [from_json(e) for e in full_journey(4)]
    mine = histories.encode(KEY, grown(journey[:2]))
    # Another process wrote the worker meanwhile (a rebalance, a restore from the changelog).
    theirs = Histories(EVENTS).encode(KEY, grown(journey))
    assert histories.read(KEY, theirs).events == history(journey)
    assert histories.read(KEY, mine).events == history(journey[:2])


def test_the_cache_forgets_the_least_recently_used_worker_beyond_its_bound():
    histories = Histories(EVENTS, cached_workers=2)
    values = {}
    for i in range(3):
        values[i] = histories.encode(b"W-%d" % i, grown([from_json(full_journey(i)[0])]))
    assert histories.cache.keys() == [b"W-1", b"W-2"]
    assert histories.read(b"W-0", values[0]).events == [from_json(full_journey(0)[0])]
