"""The order-independent fold: each transition, multi-episode workers, and properties over random histories."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import vocabulary as v
from domain.fold import fold, fold_steps, history, with_event
from domain.lifecycle import event_key
from domain.source_records import source_records
from domain.validation import validate
from streams.codec import AvroCodec
from tests.factories import make_worker

T0 = datetime(2026, 1, 5, 2, tzinfo=timezone.utc)
STATES = AvroCodec.named("worker_state")
SOURCE_OF = {
    v.TRAINING_COMPLETED: ("TRAINING_CENTER", "LPK-0007"),
    v.REGISTERED: ("P3MI", "P3MI-0042"),
    v.DEPARTED: ("P3MI", "P3MI-0042"),
    v.PLACED: ("EMBASSY", "KBRI-KL"),
    v.PLACEMENT_UPDATED: ("EMBASSY", "KBRI-KL"),
    v.CASE_REPORTED: ("EMBASSY", "KBRI-KL"),
    v.CASE_RESOLVED: ("EMBASSY", "KBRI-KL"),
    v.RETURNED: ("EMBASSY", "KBRI-KL"),
}
_event_ids = itertools.count()


def identity(i: int = 7, **changes) -> dict:
    worker = {**make_worker(i), **changes}
    if isinstance(worker["date_of_birth"], str):
        worker["date_of_birth"] = date.fromisoformat(worker["date_of_birth"])
    return worker


WORKER = identity()


def event(event_type: str, day: float, *, source: tuple[str, str] | None = None, worker: dict | None = None,
          event_id: str | None = None, **payload) -> dict:
    """A valid event in the in-memory form, ``day`` days after T0; unnamed payload fields are null."""
    record = v.PAYLOAD_RECORDS[event_type]
    assert set(payload) <= set(v.PAYLOAD_FIELDS[record]), payload
    kind, source_id = source or SOURCE_OF[event_type]
    return {
        "event_id": event_id or f"E-{next(_event_ids)}",
        "event_type": event_type,
        "occurred_at": T0 + timedelta(days=day),
        "source": {"kind": kind, "id": source_id},
        "worker": worker or WORKER,
        "payload": (record, {**dict.fromkeys(v.PAYLOAD_FIELDS[record]), **payload}),
    }


def training(day, number="CERT-1", issued_on=date(2025, 12, 1), **kw):
    return event(v.TRAINING_COMPLETED, day, certificate_no=number, competency="PLANTATION", issued_on=issued_on,
                 valid_until=issued_on + timedelta(days=1000), **kw)


def registration(day, country="MY", job_order="JO-1", employer="SAWIT SDN BHD", **kw):
    return event(v.REGISTERED, day, job_order_id=job_order, destination_country=country, sector="PLANTATION",
                 employer_name=employer, **kw)


def departure(day, country="MY", job_order="JO-1", social_security="BPJS-1", **kw):
    return event(v.DEPARTED, day, destination_country=country, sector="PLANTATION", job_order_id=job_order,
                 departure_port="CGK", social_security_no=social_security, **kw)


def placement(day, country="MY", employer="SAWIT SDN BHD", start=None, end=date(2028, 2, 1), sector="PLANTATION",
              **kw):
    return event(v.PLACED, day, country=country, employer_name=employer, sector=sector, contract_start=start,
                 contract_end=end, **kw)


def update(day, country="MY", employer=None, end=None, **kw):
    change = v.EMPLOYER_CHANGED if employer else v.EXTENDED
    return event(v.PLACEMENT_UPDATED, day, country=country, employer_name=employer, contract_end=end, change=change,
                 **kw)


def case(day, case_id="CASE-1", category="UNPAID_WAGES", **kw):
    return event(v.CASE_REPORTED, day, case_id=case_id, category=category, employer_name="SAWIT SDN BHD", **kw)


def resolution(day, case_id="CASE-1", **kw):
    return event(v.CASE_RESOLVED, day, case_id=case_id, resolution="PAID", **kw)


def homecoming(day, country="MY", on=None, reason="CONTRACT_COMPLETED", **kw):
    return event(v.RETURNED, day, country=country, return_date=on or utc_day(day), reason=reason,
                 **kw)


def state_of(*events, **kw):
    return fold(events, "W-test", **kw)


def utc_day(day: float) -> date:
    return (T0 + timedelta(days=day)).date()


# --- reference -------------------------------------------------------------------------------------------


def reference_fold(events, worker_id):
    """Deliberately plain: sort, drop repeated keys, then walk the events with the rules spelt out in full."""
    rank = {event_type: i for i, event_type in enumerate(v.EVENT_TYPES)}
    ordered, seen = [], set()
    for e in sorted(events, key=lambda e: (e["occurred_at"], rank[e["event_type"]], event_key(e))):
        if event_key(e) not in seen:
            seen.add(event_key(e))
            ordered.append(e)

    state = {
        "worker_id": worker_id,
        "identifiers": {"niks": [], "passports": [], "local_ids": []},
        "full_name": None, "date_of_birth": None, "sex": None, "origin_regency": None,
        "status": None, "current_episode": None, "episodes": [], "certificates": [],
        "social_security_no": None, "open_cases": [], "open_alerts": [],
        "last_event_at": None, "event_count": 0, "event_ids": [], "merged_from": [],
    }
    episodes = []
    registration_event = None
    certificates, cases, resolved = {}, {}, set()

    def phase(episode):
        if episode["returned_on"] is not None:
            return "CLOSED"
        if "DEPARTED" in episode["reported_by"] or "PLACED" in episode["reported_by"] \
                or "PLACEMENT_UPDATED" in episode["reported_by"]:
            return "ABROAD"
        return "PROSPECT"

    def new_episode():
        episode = {"country": None, "sector": None, "employer_name": None, "p3mi_id": None, "job_order_id": None,
                   "departed_on": None, "placed_on": None, "contract_end": None, "returned_on": None,
                   "return_reason": None, "reported_by": {}}
        episodes.append(episode)
        return episode

    def report(episode, stage, e):
        kinds = set(episode["reported_by"].get(stage, []))
        kinds.add(e["source"]["kind"])
        episode["reported_by"][stage] = sorted(kinds)

    def set_if_given(episode, name, value):
        if value is not None:
            episode[name] = value

    def set_if_empty(episode, name, value):
        if episode[name] is None:
            episode[name] = value

    def apply_registration(episode, e):
        p = e["payload"][1]
        set_if_given(episode, "country", p["destination_country"])
        set_if_given(episode, "sector", p["sector"])
        set_if_given(episode, "employer_name", p["employer_name"])
        set_if_given(episode, "job_order_id", p["job_order_id"])
        set_if_given(episode, "p3mi_id", e["source"]["id"])
        report(episode, "REGISTERED", e)

    def country_fits(episode, country):
        return episode["country"] is None or country is None or episode["country"] == country

    def episode_for_report_from_abroad(country):
        if not episodes:
            return None
        last = episodes[-1]
        if phase(last) == "ABROAD" or (phase(last) == "PROSPECT" and country_fits(last, country)):
            return last
        return None

    for e in ordered:
        p = e["payload"][1]
        w = e["worker"]
        ids = state["identifiers"]
        if w.get("nik"):
            ids["niks"] = sorted(set(ids["niks"]) | {w["nik"]})
        if w.get("passport_no"):
            ids["passports"] = sorted(set(ids["passports"]) | {w["passport_no"]})
        if w.get("local_id"):
            ids["local_ids"] = sorted(set(ids["local_ids"]) | {e["source"]["id"] + ":" + w["local_id"]})
        for name in ("full_name", "date_of_birth", "sex", "origin_regency"):
            if w.get(name):
                state[name] = w[name]
        abroad = state["status"] in ("DEPARTED", "PLACED")
        kind = e["event_type"]

        if kind == "TRAINING_COMPLETED":
            certificates[p["certificate_no"]] = {
                "certificate_no": p["certificate_no"], "competency": p["competency"],
                "issued_on": p["issued_on"], "valid_until": p["valid_until"],
            }
            if not abroad:
                state["status"] = "TRAINED"

        elif kind == "REGISTERED":
            registration_event = e
            if not abroad:
                if episodes and phase(episodes[-1]) == "PROSPECT":
                    episode = episodes[-1]
                else:
                    episode = new_episode()
                apply_registration(episode, e)
                state["status"] = "REGISTERED"

        elif kind == "DEPARTED":
            same_job = False
            if registration_event is not None:
                planned = registration_event["payload"][1]
                if p["job_order_id"] is None:
                    same_job = planned["destination_country"] == p["destination_country"]
                else:
                    same_job = (registration_event["source"]["id"] == e["source"]["id"]
                                and planned["job_order_id"] == p["job_order_id"])
            if same_job and episodes and phase(episodes[-1]) == "PROSPECT":
                episode = episodes[-1]
            else:
                episode = new_episode()
                if same_job:
                    apply_registration(episode, registration_event)
            registration_event = None
            set_if_given(episode, "country", p["destination_country"])
            set_if_given(episode, "sector", p["sector"])
            set_if_given(episode, "job_order_id", p["job_order_id"])
            episode["p3mi_id"] = e["source"]["id"]
            episode["departed_on"] = e["occurred_at"].date()
            report(episode, "DEPARTED", e)
            if p["social_security_no"] is not None:
                state["social_security_no"] = p["social_security_no"]
            state["status"] = "DEPARTED"

        elif kind in ("PLACED", "PLACEMENT_UPDATED"):
            episode = episode_for_report_from_abroad(p["country"]) or new_episode()
            set_if_given(episode, "country", p["country"])
            set_if_given(episode, "employer_name", p["employer_name"])
            set_if_given(episode, "contract_end", p["contract_end"])
            if kind == "PLACED":
                set_if_empty(episode, "sector", p["sector"])
                episode["placed_on"] = p["contract_start"] or e["occurred_at"].date()
            report(episode, kind, e)
            state["status"] = "PLACED"

        elif kind == "CASE_REPORTED":
            if p["case_id"] not in cases:
                cases[p["case_id"]] = {"case_id": p["case_id"], "category": p["category"],
                                       "employer_name": p["employer_name"], "reported_at": e["occurred_at"]}
            else:
                set_if_empty(cases[p["case_id"]], "category", p["category"])
                set_if_empty(cases[p["case_id"]], "employer_name", p["employer_name"])

        elif kind == "CASE_RESOLVED":
            resolved.add(p["case_id"])

        elif kind == "RETURNED":
            episode = episode_for_report_from_abroad(p["country"])
            if episode is None and episodes:
                last = episodes[-1]
                if phase(last) == "CLOSED" and country_fits(last, p["country"]) \
                        and abs(last["returned_on"] - p["return_date"]) <= timedelta(days=30):
                    episode = last
            if episode is None:
                episode = new_episode()
            set_if_empty(episode, "country", p["country"])
            set_if_empty(episode, "returned_on", p["return_date"])
            set_if_empty(episode, "return_reason", p["reason"])
            if e["source"]["kind"] == "P3MI":
                set_if_empty(episode, "p3mi_id", e["source"]["id"])
            report(episode, "RETURNED", e)
            state["status"] = "RETURNED"

        state["last_event_at"] = e["occurred_at"]
        state["event_ids"] = sorted(state["event_ids"] + [event_key(e)])
        state["event_count"] += 1

    state["episodes"] = episodes
    state["current_episode"] = episodes[-1] if episodes else None
    state["certificates"] = sorted(certificates.values(), key=lambda c: (c["issued_on"], c["certificate_no"]))
    still_open = [c for case_id, c in cases.items() if case_id not in resolved]
    state["open_cases"] = sorted(still_open, key=lambda c: (c["reported_at"], c["case_id"]))
    state["source_records"] = source_records(ordered)  # its own module, tested in test_reconciliation
    return state


# --- transitions -----------------------------------------------------------------------------------------


def test_training_records_the_certificate_and_sets_trained():
    state = state_of(training(0, "CERT-2", date(2025, 12, 3)), training(1, "CERT-1", date(2025, 12, 3)))
    assert state["status"] == "TRAINED"
    assert [c["certificate_no"] for c in state["certificates"]] == ["CERT-1", "CERT-2"]  # issue date, then number
    assert state["current_episode"] is None and state["episodes"] == []


def test_a_certificate_reported_again_is_one_certificate_as_last_reported():
    state = state_of(training(0, issued_on=date(2025, 1, 1)), training(1, issued_on=date(2025, 2, 1)))
    assert [c["issued_on"] for c in state["certificates"]] == [date(2025, 2, 1)]


def test_registration_opens_a_prospect_and_a_later_one_replaces_its_plan():
    state = state_of(registration(0), registration(2, country="SG", job_order="JO-2", employer="SG PTE LTD"))
    assert state["status"] == "REGISTERED"
    [prospect] = state["episodes"]
    assert prospect == state["current_episode"]
    assert (prospect["country"], prospect["job_order_id"], prospect["employer_name"]) == ("SG", "JO-2", "SG PTE LTD")
    assert (prospect["p3mi_id"], prospect["departed_on"]) == ("P3MI-0042", None)
    assert prospect["reported_by"] == {"REGISTERED": ["P3MI"]}


def test_departure_takes_over_the_registration_for_the_same_job_order():
    state = state_of(registration(0), departure(30))
    [episode] = state["episodes"]
    assert state["status"] == "DEPARTED"
    assert episode["employer_name"] == "SAWIT SDN BHD"  # the prospective employer, until an embassy names one
    assert (episode["country"], episode["job_order_id"], episode["departed_on"]) == ("MY", "JO-1", utc_day(30))
    assert episode["reported_by"] == {"DEPARTED": ["P3MI"], "REGISTERED": ["P3MI"]}
    assert state["social_security_no"] == "BPJS-1"


def test_departure_without_job_order_matches_the_registration_by_destination():
    state = state_of(registration(0), departure(30, job_order=None))
    [episode] = state["episodes"]
    assert episode["job_order_id"] == "JO-1"


def test_departure_for_another_job_leaves_the_prospect_behind():
    state = state_of(registration(0), departure(30, country="SG", job_order="JO-9"))
    prospect, journey = state["episodes"]
    assert prospect["departed_on"] is None and prospect["country"] == "MY"
    assert journey["employer_name"] is None and journey["reported_by"] == {"DEPARTED": ["P3MI"]}


def test_the_same_job_order_number_at_another_p3mi_is_another_job():
    state = state_of(registration(0), departure(30, source=("P3MI", "P3MI-0099")))
    assert len(state["episodes"]) == 2
    assert state["current_episode"]["p3mi_id"] == "P3MI-0099"


def test_placement_fills_the_journey_under_way():
    state = state_of(departure(0), placement(10, employer="KEBUN SDN BHD", start=date(2026, 1, 12), sector="CAREGIVER"))
    [episode] = state["episodes"]
    assert state["status"] == "PLACED"
    assert episode["sector"] == "PLANTATION"  # the departure's; a placement only fills a missing sector
    assert (episode["employer_name"], episode["placed_on"], episode["contract_end"]) == (
        "KEBUN SDN BHD", date(2026, 1, 12), date(2028, 2, 1))
    assert episode["reported_by"] == {"DEPARTED": ["P3MI"], "PLACED": ["EMBASSY"]}


def test_placement_without_contract_start_is_placed_on_its_event_date():
    state = state_of(departure(0), placement(10))
    assert state["current_episode"]["placed_on"] == utc_day(10)


def test_placement_updates_extend_the_contract_and_change_the_employer():
    state = state_of(departure(0), placement(10), update(200, end=date(2029, 2, 1)), update(300, employer="BARU SDN BHD"))
    episode = state["current_episode"]
    assert (episode["contract_end"], episode["employer_name"]) == (date(2029, 2, 1), "BARU SDN BHD")
    assert episode["placed_on"] == utc_day(10)
    assert episode["reported_by"]["PLACEMENT_UPDATED"] == ["EMBASSY"]


def test_return_closes_the_episode():
    state = state_of(departure(0), placement(10), homecoming(700, reason="EARLY_TERMINATION"))
    episode = state["current_episode"]
    assert state["status"] == "RETURNED"
    assert (episode["returned_on"], episode["return_reason"]) == (utc_day(700), "EARLY_TERMINATION")


def test_the_same_return_from_a_second_source_corroborates_and_the_first_report_stands():
    state = state_of(
        departure(0),
        homecoming(700, reason="REPATRIATED"),
        homecoming(702, on=utc_day(701), reason="CONTRACT_COMPLETED", source=("P3MI", "P3MI-0042")),
    )
    [episode] = state["episodes"]
    assert (episode["returned_on"], episode["return_reason"]) == (utc_day(700), "REPATRIATED")
    assert episode["reported_by"]["RETURNED"] == ["EMBASSY", "P3MI"]


def test_placed_elsewhere_the_journey_is_in_the_placement_country_and_its_returns_are_one():
    # An embassy in BN places a worker the P3MI sent to HK; both then report the return from BN.
    state = state_of(
        departure(0, country="HK"),
        placement(10, country="BN"),
        homecoming(700, country="BN"),
        homecoming(701, country="BN", source=("P3MI", "P3MI-0042")),
    )
    [episode] = state["episodes"]
    assert (episode["country"], episode["departed_on"], episode["returned_on"]) == ("BN", utc_day(0), utc_day(700))
    assert episode["reported_by"]["RETURNED"] == ["EMBASSY", "P3MI"]


def test_a_placement_update_without_a_country_keeps_the_placement_country():
    state = state_of(departure(0, country="HK"), placement(10, country="BN"), update(200, country=None, end=date(2029, 1, 1)))
    assert state["current_episode"]["country"] == "BN"


def test_a_return_long_after_the_last_one_is_another_journey():
    state = state_of(departure(0), homecoming(700), homecoming(1400))
    assert [e["returned_on"] for e in state["episodes"]] == [utc_day(700), utc_day(1400)]
    assert state["episodes"][1]["departed_on"] is None


def test_return_without_departure_opens_and_closes_an_episode():
    state = state_of(homecoming(5, country="SA", reason="DEPORTED", source=("P3MI", "P3MI-0042")))
    [episode] = state["episodes"]
    assert state["status"] == "RETURNED"
    assert (episode["country"], episode["departed_on"], episode["returned_on"]) == ("SA", None, utc_day(5))
    assert episode["p3mi_id"] == "P3MI-0042"
    assert episode["reported_by"] == {"RETURNED": ["P3MI"]}


def test_embassy_only_worker_gets_an_episode_without_departure():
    state = state_of(placement(3, country="HK", sector="CAREGIVER"))
    [episode] = state["episodes"]
    assert state["status"] == "PLACED"
    assert (episode["country"], episode["sector"], episode["departed_on"], episode["p3mi_id"]) == (
        "HK", "CAREGIVER", None, None)
    assert episode["reported_by"] == {"PLACED": ["EMBASSY"]}


def test_placement_in_the_registered_country_without_departure_is_that_journey():
    state = state_of(registration(0), placement(40))
    [episode] = state["episodes"]
    assert episode["job_order_id"] == "JO-1" and episode["placed_on"] == utc_day(40)


def test_placement_elsewhere_than_registered_is_another_journey():
    state = state_of(registration(0), placement(40, country="HK"))
    assert [e["country"] for e in state["episodes"]] == ["MY", "HK"]


def test_placement_update_alone_is_a_placement_on_record():
    state = state_of(update(10, end=date(2029, 1, 1)))
    assert state["status"] == "PLACED"
    assert state["current_episode"]["contract_end"] == date(2029, 1, 1)


def test_two_departures_two_episodes_the_first_closed_by_its_return():
    events = [registration(0), departure(30), placement(40), homecoming(760),
              registration(800, country="TW", job_order="JO-5"), departure(830, country="TW", job_order="JO-5"),
              placement(835, country="TW", employer="FACTORY CO")]
    state = state_of(*events)
    first, second = state["episodes"]
    assert (first["country"], first["returned_on"]) == ("MY", utc_day(760))
    assert (second["country"], second["returned_on"], second["employer_name"]) == ("TW", None, "FACTORY CO")
    assert state["current_episode"] == second and state["status"] == "PLACED"


def test_a_departure_without_a_return_on_record_still_opens_a_new_episode():
    state = state_of(departure(0), placement(5), departure(900, country="SG", job_order="JO-7"))
    assert [e["returned_on"] for e in state["episodes"]] == [None, None]
    assert state["current_episode"]["country"] == "SG" and state["status"] == "DEPARTED"


def test_late_placement_arriving_before_its_departure_is_folded_by_event_time():
    early, late = departure(0), placement(10)
    assert state_of(late, early) == state_of(early, late)
    assert len(state_of(late, early)["episodes"]) == 1


def test_departure_and_placement_at_the_same_instant_read_departure_first():
    state = state_of(placement(10), departure(10))
    assert len(state["episodes"]) == 1 and state["status"] == "PLACED"


def test_a_certificate_while_abroad_does_not_change_the_status_but_after_return_it_does():
    abroad = state_of(departure(0), placement(10), training(20))
    assert abroad["status"] == "PLACED" and len(abroad["certificates"]) == 1
    assert state_of(departure(0), training(5))["status"] == "DEPARTED"
    assert state_of(departure(0), homecoming(700), training(720))["status"] == "TRAINED"


def test_registration_while_abroad_waits_for_the_next_departure():
    events = [departure(0), placement(10), registration(600, country="SG", job_order="JO-3", employer="SG PTE LTD")]
    abroad = state_of(*events)
    assert abroad["status"] == "PLACED" and len(abroad["episodes"]) == 1
    back = state_of(*events, homecoming(700), departure(760, country="SG", job_order="JO-3"))
    assert back["current_episode"]["employer_name"] == "SG PTE LTD"
    assert back["current_episode"]["reported_by"] == {"DEPARTED": ["P3MI"], "REGISTERED": ["P3MI"]}


def test_status_follows_the_last_stage_before_departure():
    assert state_of(training(0), registration(1))["status"] == "REGISTERED"
    assert state_of(registration(0), training(1))["status"] == "TRAINED"
    assert state_of(departure(0), homecoming(700), registration(710))["status"] == "REGISTERED"


def test_cases_open_until_resolved_and_a_resolution_before_its_report_still_closes_it():
    assert [c["case_id"] for c in state_of(case(1), case(2, case_id="CASE-2"))["open_cases"]] == ["CASE-1", "CASE-2"]
    assert state_of(case(1), resolution(5))["open_cases"] == []
    assert state_of(resolution(5), case(1))["open_cases"] == []  # the resolution arrived first
    assert state_of(resolution(0), case(5))["open_cases"] == []  # ... or even happened first, by the clocks
    assert state_of(case(1), resolution(5), case(2, case_id="CASE-2"))["open_cases"][0]["case_id"] == "CASE-2"


def test_a_case_is_open_from_its_first_report():
    [open_case] = state_of(case(3, category=None), case(9, category="ABUSE"))["open_cases"]
    assert (open_case["reported_at"], open_case["category"]) == (T0 + timedelta(days=3), "ABUSE")


def test_cases_leave_status_and_episodes_alone():
    state = state_of(case(1))
    assert state["status"] is None and state["episodes"] == []


def test_social_security_number_is_the_latest_one_carried():
    state = state_of(departure(0, social_security="BPJS-1"), homecoming(700), departure(800, social_security=None))
    assert state["social_security_no"] == "BPJS-1"
    state = state_of(departure(0, social_security="BPJS-1"), homecoming(700), departure(800, social_security="BPJS-2"))
    assert state["social_security_no"] == "BPJS-2"


def test_identity_is_the_union_of_identifiers_and_the_latest_of_each_field():
    by_embassy = identity(nik=None, local_id=None, passport_no="C7654321", full_name="Siti Aminah", sex=None)
    state = state_of(departure(0), placement(10, worker=by_embassy))
    assert state["identifiers"] == {
        "niks": [WORKER["nik"]],
        "passports": sorted([WORKER["passport_no"], "C7654321"]),
        "local_ids": ["P3MI-0042:REG-7"],
    }
    assert (state["full_name"], state["sex"]) == ("Siti Aminah", WORKER["sex"])


def test_counters_and_times():
    events = [departure(0), placement(10), case(12)]
    state = state_of(*events, events[1])
    assert state["event_count"] == 3 and state["event_ids"] == sorted(event_key(e) for e in events)
    assert state["last_event_at"] == T0 + timedelta(days=12)


def test_alerts_and_merges_passed_in_are_kept_as_sorted_sets():
    state = state_of(departure(0), open_alerts=["UNCONFIRMED_PLACEMENT", "DEPARTURE_WITHOUT_TRAINING",
                                                "UNCONFIRMED_PLACEMENT"], merged_from=["W-b", "W-a"])
    assert state["open_alerts"] == ["DEPARTURE_WITHOUT_TRAINING", "UNCONFIRMED_PLACEMENT"]
    assert state["merged_from"] == ["W-a", "W-b"]
    assert STATES.decode(STATES.encode(state)) == state


def test_an_edited_retry_is_one_event_and_the_earlier_copy_wins_in_any_order():
    first = departure(5, country="MY", event_id="E-retry")
    edited = {**departure(3, country="SG"), "event_id": "E-retry"}
    assert state_of(first, edited) == state_of(edited, first)
    assert state_of(first, edited)["current_episode"]["country"] == "SG"
    assert state_of(first, edited)["event_count"] == 1


def test_with_event_adds_new_events_and_ignores_retries():
    kept = history([departure(0)])
    late = placement(10)
    grown = with_event(kept, late)
    assert grown == history([late, *kept])
    assert with_event(grown, late) is None
    assert with_event(grown, kept[0]) is None


def test_fold_needs_an_event():
    with pytest.raises(ValueError):
        fold([], "W-none")


# --- properties over random histories -------------------------------------------------------------------

COUNTRIES = ("MY", "SG", "HK", "TW", "SA")
P3MIS = ("P3MI-0042", "P3MI-0099")
EMBASSIES = ("KBRI-KL", "KJRI-HK")
CENTRES = ("LPK-0007", "BLK-0003")


def identity_variants(i: int) -> list[dict]:
    """How partners describe worker ``i``: some identifiers missing, a renewed passport, names spelt apart."""
    base = identity(i)
    spellings = (base["full_name"], base["full_name"].title(), base["full_name"][:-1], None)
    variants = [
        {**base, "nik": nik, "passport_no": passport_no, "local_id": local_id, "full_name": name, "sex": sex}
        for nik in (base["nik"], None)
        for passport_no in (base["passport_no"], "C7654321", None)
        for local_id in (base["local_id"], None)
        for name in spellings
        for sex in (base["sex"], None)
    ]
    return [w for w in variants if w["nik"] or w["passport_no"] or w["local_id"]]  # partners send one at least


@st.composite
def histories(draw) -> list[dict]:
    """One worker's events over 1-3 journeys: varied identifiers and spellings, several sources, random times."""
    variants = identity_variants(draw(st.integers(0, 50)))
    scrambled = draw(st.booleans())  # event times unrelated to the journey's order
    clock = [0.0]

    def when() -> float:
        if scrambled:
            return draw(st.integers(0, 1600)) + draw(st.sampled_from((0, 0.25, 0.5)))
        clock[0] += draw(st.sampled_from((0, 0, 0.25, 1, 10, 60, 300)))
        return clock[0]

    def who() -> dict:
        return draw(st.sampled_from(variants))

    def source(kind, ids):
        return kind, draw(st.sampled_from(ids))

    def maybe(strategy, chance_of_none=(False, True)):
        return None if draw(st.sampled_from(chance_of_none)) else draw(strategy)

    events = []
    for _ in range(draw(st.integers(1, 3))):
        country, job_order = draw(st.sampled_from(COUNTRIES)), f"JO-{draw(st.integers(1, 3))}"
        p3mi, embassy = source("P3MI", P3MIS), source("EMBASSY", EMBASSIES)
        elsewhere = st.sampled_from(COUNTRIES)
        if draw(st.booleans()):
            number = f"CERT-{draw(st.integers(1, 4))}"
            events.append(training(when(), number, date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 600))),
                                   source=source("TRAINING_CENTER", CENTRES), worker=who()))
        for _ in range(draw(st.integers(0, 2))):
            events.append(registration(when(), draw(st.sampled_from((country, country, "SG"))), job_order,
                                       draw(st.sampled_from(("SAWIT SDN BHD", None))), source=p3mi, worker=who()))
        if draw(st.integers(0, 3)):
            events.append(departure(when(), country, maybe(st.just(job_order)), maybe(st.just("BPJS-" + job_order)),
                                    source=p3mi, worker=who()))
        if draw(st.integers(0, 3)):
            events.append(placement(when(), draw(st.sampled_from((country, country, country, "HK"))),
                                    draw(st.sampled_from(("SAWIT SDN BHD", "KEBUN SDN BHD"))),
                                    start=maybe(st.dates(date(2025, 1, 1), date(2030, 1, 1))),
                                    end=maybe(st.dates(date(2030, 1, 2), date(2032, 1, 1))),
                                    sector=draw(st.sampled_from(("PLANTATION", "CAREGIVER"))), source=embassy,
                                    worker=who()))
        for _ in range(draw(st.integers(0, 2))):
            events.append(update(when(), country, draw(st.sampled_from((None, "BARU SDN BHD"))),
                                 draw(st.dates(date(2030, 1, 2), date(2033, 1, 1))), source=embassy, worker=who()))
        for _ in range(draw(st.integers(0, 2))):
            case_id = f"CASE-{draw(st.integers(1, 3))}"
            events.append(case(when(), case_id, draw(st.sampled_from(v.CASE_CATEGORIES)), source=embassy,
                               worker=who()))
            if draw(st.booleans()):
                events.append(resolution(when(), case_id, source=embassy, worker=who()))
        for _ in range(draw(st.integers(0, 2))):
            day = when()
            returned_on = utc_day(day) - timedelta(days=draw(st.integers(0, 3)))
            events.append(homecoming(day, draw(st.sampled_from((country, country, draw(elsewhere)))), returned_on,
                                     draw(st.sampled_from(v.RETURN_REASONS)),
                                     source=draw(st.sampled_from((embassy, p3mi))), worker=who()))
    if not events:
        events.append(case(when(), source=source("EMBASSY", EMBASSIES), worker=who()))
    return events


@st.composite
def arrivals(draw) -> tuple[list[dict], list[dict]]:
    """A history, and the same history as it might arrive: shuffled, with partners' retries."""
    events = draw(histories())
    retries = draw(st.lists(st.sampled_from(events), max_size=6))
    return events, draw(st.permutations(events + retries))


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SECONDARY = settings(PROPERTY, max_examples=80)


@PROPERTY
@given(arrivals())
def test_any_order_and_any_retries_give_the_same_state_and_bytes_as_the_reference(case_):
    events, arrived = case_
    state = fold(events, "W-prop")
    assert fold(arrived, "W-prop") == state == reference_fold(arrived, "W-prop")
    encoded = STATES.encode(state)
    assert STATES.encode(fold(arrived, "W-prop")) == encoded
    assert STATES.decode(encoded) == state
    assert state["event_count"] == len({event_key(e) for e in arrived}) == len(state["event_ids"])


@SECONDARY
@given(arrivals(), st.data())
def test_edited_retries_still_give_one_state_whatever_the_order(case_, data):
    events, arrived = case_
    edited = [
        {**data.draw(st.sampled_from(events)), "occurred_at": T0 + timedelta(days=data.draw(st.integers(0, 1600)))}
        for _ in range(data.draw(st.integers(1, 3)))
    ]
    first = fold(arrived + edited, "W-prop")
    assert fold(data.draw(st.permutations(arrived + edited)), "W-prop") == first
    assert first["event_count"] == len({event_key(e) for e in events})


@SECONDARY
@given(arrivals())
def test_each_step_names_the_journey_its_event_touched_as_the_fold_of_the_events_so_far_has_it(case_):
    events, arrived = case_
    state, steps = fold_steps(arrived, "W-prop")
    ordered = history(events)
    assert state == fold(events, "W-prop") and [s.event for s in steps] == ordered
    for k, step in enumerate(steps):
        if step.episode is not None:
            assert step.episode_after == fold(ordered[: k + 1], "W-prop")["current_episode"]
        else:
            assert step.event["event_type"] in (v.TRAINING_COMPLETED, v.REGISTERED, v.CASE_REPORTED, v.CASE_RESOLVED)
    for index, episode in enumerate(state["episodes"]):
        assert [s.episode_after for s in steps if s.episode == index][-1] == episode


@SECONDARY
@given(arrivals())
def test_adding_events_one_by_one_keeps_the_history_of_the_whole_set(case_):
    events, arrived = case_
    kept = []
    for e in arrived:
        kept = with_event(kept, e) or kept
    assert kept == history(events)


@settings(max_examples=30, deadline=None)
@given(histories())
def test_generated_histories_are_valid_partner_events(events):
    now = max(e["occurred_at"] for e in events)  # valid as a partner sees them after the last one
    assert all(validate(e, now) == [] for e in events)
