"""Reconciliation's core: source records, per-worker and per-record contributions, rows, overlap."""
from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.counts import ABROAD_DIMENSIONS, canonical_counts
from domain.fold import fold
from domain.lifecycle import event_key
from domain.reconciliation import (
    CAUSES, DUPLICATES, ELSEWHERE, NOT_ABROAD_IN_SOURCE, NOT_SEEN_BY_SOURCE, RETURN_NOT_CLOSED,
    SPLIT_RECORD, overlap, population, rows,
)
from domain.source_records import SOURCES, UNKNOWN, record_id
from tests.unit.test_fold import WORKER, case, departure, homecoming, identity, placement, registration, training, update

PERSON = WORKER  # the default worker of the event makers
PASSPORT_ONLY = {"passport_no": PERSON["passport_no"]}


def row(summed, by, key):
    return next(r for r in rows(summed, by) if r["key"] == key)


def test_one_person_seen_by_both_counts_once_everywhere():
    events = [training(0), registration(1), departure(2), placement(3, source=("EMBASSY", "KBRI-KL"))]
    summed = population([fold(events, "W-1")])
    my = row(summed, "country", "MY")
    assert my["canonical"] == 1
    assert my["sources"]["P3MI"] == {"count": 1, "causes": dict.fromkeys(CAUSES, 0)}
    assert my["sources"]["EMBASSY"]["count"] == 1
    assert my["overlap"] == {"EMBASSY+P3MI+TRAINING_CENTER": 1}
    assert row(summed, "province", PERSON["origin_regency"][:2])["sources"]["EMBASSY"]["count"] == 1


def test_a_renewed_passport_is_two_records_to_the_embassy_and_the_merge_names_it_a_duplicate():
    renewed = {**PASSPORT_ONLY, "passport_no": "E7654321"}
    events = [departure(0), placement(1), update(40, worker=renewed)]
    my = row(population([fold(events, "W-1")]), "country", "MY")
    assert my["sources"]["EMBASSY"]["count"] == 2
    assert my["sources"]["EMBASSY"]["causes"][DUPLICATES] == 1
    # The renewed record never carried a sector or a regency: the embassy counts it UNKNOWN there.
    sector = population([fold(events, "W-1")])
    assert row(sector, "sector", UNKNOWN)["sources"]["EMBASSY"]["causes"][ELSEWHERE] == 1
    assert row(sector, "sector", "PLANTATION")["sources"]["EMBASSY"]["causes"][DUPLICATES] == 0


def test_a_return_only_the_p3mi_reported_leaves_the_embassy_counting():
    events = [departure(0), placement(1), homecoming(300, source=("P3MI", "P3MI-0042"))]
    my = row(population([fold(events, "W-1")]), "country", "MY")
    assert (my["canonical"], my["sources"]["P3MI"]["count"], my["sources"]["EMBASSY"]["count"]) == (0, 0, 1)
    assert my["sources"]["EMBASSY"]["causes"][RETURN_NOT_CLOSED] == 1


def test_unconfirmed_departure_and_embassy_only_worker():
    p3mi_only = fold([departure(0)], "W-1")
    embassy_only = fold([placement(0, worker=identity(2))], "W-2")
    my = row(population([p3mi_only, embassy_only]), "country", "MY")
    assert my["canonical"] == 2
    assert my["sources"]["EMBASSY"]["causes"][NOT_SEEN_BY_SOURCE] == -1
    assert my["sources"]["P3MI"]["causes"][NOT_SEEN_BY_SOURCE] == -1
    assert my["overlap"] == {"EMBASSY": 1, "P3MI": 1}


def test_a_p3mi_that_only_registered_knows_the_worker_but_not_abroad():
    events = [registration(0), placement(3)]
    my = row(population([fold(events, "W-1")]), "country", "MY")
    assert my["sources"]["P3MI"]["causes"][NOT_ABROAD_IN_SOURCE] == -1


def test_a_record_split_over_two_workers_counts_once_by_its_latest_report():
    # Before identity resolution: the embassy's passport lies in the NIK's worker and in a passport-only one.
    with_nik = fold([departure(0), placement(1)], "W-nik")
    passport_only = fold([homecoming(200, worker=PASSPORT_ONLY)], "W-passport")
    summed = population([with_nik, passport_only])
    my = row(summed, "country", "MY")
    assert my["sources"]["EMBASSY"]["count"] == 0  # the passport's latest report is its return
    assert my["sources"]["EMBASSY"]["causes"][SPLIT_RECORD] == -1
    assert my["canonical"] == 1


def test_record_ids_hide_the_key():
    assert PERSON["passport_no"] not in record_id("EMBASSY", PERSON["passport_no"])
    assert record_id("EMBASSY", "C1") != record_id("P3MI", "C1")


# --- property: random populations ------------------------------------------------------------------------

COUNTRIES, SECTORS = ("MY", "TW", "HK"), ("PLANTATION", "CAREGIVER")


@st.composite
def populations(draw):
    """Events about a few people from several sources — duplicated keys, missing keys, returns reported by
    either side — dealt out to canonical workers at random (identity resolution's mistakes included)."""
    people = [identity(i) for i in range(draw(st.integers(1, 4)))]
    slots = iter(draw(st.permutations(range(200))))  # distinct times: "latest" is never a tie

    def when():
        return next(slots) / 4

    events = []
    for person in people:
        renewed = {**person, "nik": None, "passport_no": f"E{person['passport_no'][1:]}"}
        typo = {**person, "nik": person["nik"][:-1] + str((int(person["nik"][-1]) + 1) % 10), "passport_no": None}
        variants = (person, {**person, "nik": None, "origin_regency": None}, renewed, typo, {**person, "passport_no": None})
        for _ in range(draw(st.integers(1, 6))):
            who = draw(st.sampled_from(variants))
            country = draw(st.sampled_from(COUNTRIES))
            maker = draw(st.sampled_from(("train", "register", "depart", "place", "update", "case", "return_e", "return_p")))
            p3mi, embassy = ("P3MI", draw(st.sampled_from(("P3MI-1", "P3MI-2")))), ("EMBASSY", "KBRI-KL")
            if maker == "train":
                events.append(training(when(), worker=who))
            elif maker == "register":
                events.append(registration(when(), country, source=p3mi, worker=who))
            elif maker == "depart":
                events.append(departure(when(), country, source=p3mi, worker=who))
            elif maker == "place":
                events.append(placement(when(), country, sector=draw(st.sampled_from(SECTORS)), source=embassy, worker=who))
            elif maker == "update":
                events.append(update(when(), country, source=embassy, worker=who))
            elif maker == "case":
                events.append(case(when(), source=embassy, worker=who))
            else:
                events.append(homecoming(when(), country, source=embassy if maker == "return_e" else p3mi, worker=who))
    retries = draw(st.lists(st.sampled_from(events), max_size=3))
    workers = draw(st.integers(1, 5))
    assignment = [draw(st.integers(0, workers - 1)) for _ in events]
    by_worker = {}
    for event, worker in zip(events, assignment):
        by_worker.setdefault(f"W-{worker}", []).append(event)
    for retry in retries:  # a retry lands where its first copy did
        by_worker[f"W-{assignment[events.index(retry)]}"].append(retry)
    return events, [fold(own, worker) for worker, own in by_worker.items()]


def direct_source_counts(events) -> dict:
    """Deliberately plain, as the ground truth counts: per record, its latest stage report decides."""
    counts = {kind: {dimension: Counter() for dimension in ABROAD_DIMENSIONS} for kind in SOURCES}
    key_field = {"P3MI": "nik", "EMBASSY": "passport_no"}
    stages = {"P3MI": ("REGISTERED", "DEPARTED", "RETURNED"), "EMBASSY": ("PLACED", "PLACEMENT_UPDATED", "RETURNED")}
    distinct = {event_key(e): e for e in events}.values()
    ordered = sorted(distinct, key=lambda e: e["occurred_at"])
    for kind in SOURCES:
        records = {}
        for e in ordered:
            if e["source"]["kind"] == kind and e["worker"].get(key_field[kind]):
                records.setdefault(e["worker"][key_field[kind]], []).append(e)
        for own in records.values():
            staged = [e for e in own if e["event_type"] in stages[kind]]
            if not staged or staged[-1]["event_type"] not in ("DEPARTED", "PLACED", "PLACEMENT_UPDATED"):
                continue
            payload = staged[-1]["payload"][1]
            regency = next((e["worker"]["origin_regency"] for e in reversed(own) if e["worker"].get("origin_regency")), None)
            sector = next((e["payload"][1]["sector"] for e in reversed(own) if e["payload"][1].get("sector")), UNKNOWN)
            counts[kind]["country"][payload.get("destination_country") or payload.get("country")] += 1
            counts[kind]["province"][regency[:2] if regency else UNKNOWN] += 1
            counts[kind]["sector"][sector] += 1
    return counts


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations())
def test_causes_sum_to_the_difference_and_sums_equal_direct_counts(case_):
    events, states = case_
    summed = population(states)
    direct, canonical = direct_source_counts(events), canonical_counts(states)
    for by in ABROAD_DIMENSIONS:
        table = rows(summed, by)
        for r in table:
            for kind, source in r["sources"].items():
                assert source["count"] - r["canonical"] == sum(source["causes"].values()), (by, r)
            assert sum(r["overlap"].values()) == r["canonical"]
        assert {r["key"]: r["canonical"] for r in table if r["canonical"]} == dict(canonical[by])
        for kind in SOURCES:
            assert {r["key"]: r["sources"][kind]["count"] for r in table if r["sources"][kind]["count"]} == dict(direct[kind][by])
        assert sum(overlap(table).values()) == sum(canonical[by].values())
