"""The alert channels' core (domain.alert_projection): which record of an alert id Redis keeps, when a
change is announced, the hash and index sets, query filters — and the follower's rendering."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from domain.alert_projection import (
    RULES,
    alert_fields,
    canonical,
    document,
    filters_problem,
    in_order,
    latest,
    matches,
    precedence,
    query_sets,
    record_problem,
    shown,
    update,
)
from domain.alerts import WORKER, Subject, finding, to_record, withdraw
from streams.alert_view import line, style
from streams.codec import AvroCodec

T = datetime(2026, 3, 1, tzinfo=timezone.utc)
WIB = timezone(timedelta(hours=7))
SUBJECT = Subject(WORKER, "W-1")
DEPARTURE, CERTIFICATE, RESEND = "P3MI-0042:E-1", "LPK-7:C-1", "P3MI-0042:E-2"


def a_finding(evidence=(DEPARTURE,), resolved_at=None, opened_at=T, subject=SUBJECT, rule="DEPARTURE_WITHOUT_TRAINING"):
    return finding(rule, "WARNING", subject, (DEPARTURE,), opened_at, "W-1 departed with no certificate", evidence,
                   resolved_at=resolved_at, details={"p3mi_id": "P3MI-0042"})


def doc(f) -> dict:
    return document(to_record(f))


# The life of one alert as the producer publishes it: open, another report of the departure,
# resolved by a late certificate, then withdrawn (the certificate was dated before the departure).
OPENED = a_finding()
RESENT = a_finding((DEPARTURE, RESEND))
RESOLVED = a_finding((DEPARTURE, RESEND, CERTIFICATE), resolved_at=T + timedelta(days=3))
WITHDRAWN = withdraw(RESOLVED)
LIFE = [doc(f) for f in (OPENED, RESENT, RESOLVED, WITHDRAWN)]


def apply(store: dict, alerts) -> list[str]:
    """What the Redis writer does with ``alerts`` one by one; returns the announced shown statuses."""
    announced = []
    for alert in alerts:
        decided = update(store.get(alert["alert_id"]), alert)
        if decided is not None:
            store[alert["alert_id"]] = decided.alert
            announced += [shown(decided.alert)] if decided.announce else []
    return announced


def test_the_document_is_the_avro_record_with_utc_times_and_survives_the_wire():
    f = a_finding(resolved_at=datetime(2026, 3, 4, 9, tzinfo=WIB))
    codec = AvroCodec.named("alert")
    assert document(codec.decode(codec.encode(to_record(f)))) == doc(f)
    assert doc(f)["opened_at"] == "2026-03-01T00:00:00+00:00"
    assert doc(f)["resolved_at"] == "2026-03-04T02:00:00+00:00"
    assert doc(OPENED)["resolved_at"] is None


def test_the_life_of_an_alert_is_announced_once_per_shown_status():
    store = {}
    assert apply(store, LIFE) == ["OPEN", "RESOLVED", "WITHDRAWN"]  # RESENT changes the hash, not the status
    assert store == {OPENED.alert_id: LIFE[-1]}


def test_a_redelivered_or_replayed_record_changes_nothing():
    store = {}
    apply(store, LIFE)
    # A second delivery, and a producer re-processing from the start (its interim records again).
    for again in ([LIFE[-1]], LIFE, LIFE[:2]):
        assert apply(store, again) == []
        assert store == {OPENED.alert_id: LIFE[-1]}


def test_an_older_status_never_overwrites_a_newer_one():
    resolved, opened = doc(RESOLVED), doc(OPENED)
    assert update(resolved, opened) is None
    assert update(doc(WITHDRAWN), resolved) is None
    # Same evidence, later stage: the resolution wins, whichever came first.
    same_evidence_open = doc(a_finding(RESOLVED.evidence))
    assert update(same_evidence_open, resolved).announce
    assert update(resolved, same_evidence_open) is None


def test_new_evidence_wins_over_an_earlier_stage():
    """A SPIKE run re-opened by a late incident, or an alert raised again after its withdrawal by a new report,
    lists more evidence: it is the later word, whatever its status."""
    reopened = doc(a_finding((*RESOLVED.evidence, "EMB-1:X-9")))
    decided = update(doc(WITHDRAWN), reopened)
    assert decided.announce and shown(decided.alert) == "OPEN"
    assert decided.leave == {"status": "RESOLVED"} and decided.join["status"] == "OPEN"


def test_a_lengthened_run_resolves_later_and_a_late_report_moves_the_opening_back():
    early, late = doc(a_finding(resolved_at=T + timedelta(days=1))), doc(a_finding(resolved_at=T + timedelta(days=2)))
    assert update(early, late) is not None and update(late, early) is None
    assert not update(early, late).announce  # still RESOLVED: the hash changes, nothing to announce
    moved_back = doc(a_finding(opened_at=T - timedelta(days=1)))
    assert update(doc(OPENED), moved_back) is not None and update(moved_back, doc(OPENED)) is None


def test_first_sight_is_announced_whatever_the_status():
    assert update(None, doc(RESOLVED)).announce and update(None, doc(WITHDRAWN)).announce


@given(st.lists(st.sampled_from(range(len(LIFE) + 2)), min_size=1, max_size=20), st.randoms(use_true_random=False))
def test_redis_holds_the_same_whatever_the_order_and_repeats_of_the_records(picks, rng):
    other = doc(a_finding(subject=Subject(WORKER, "W-2")))
    pool = [*LIFE, other, doc(replace(RESENT, message="W-1 departed with no certificate (resent)"))]
    sent = [pool[i] for i in picks]
    store = {}
    apply(store, sent)
    shuffled = sent + rng.sample(sent, len(sent))
    rng.shuffle(shuffled)
    again = {}
    apply(again, shuffled)
    assert store == again == latest(sent)
    assert apply(store, sent) == []


def test_precedence_orders_any_two_different_records():
    a, b = doc(RESENT), doc(replace(RESENT, message="another text"))
    assert precedence(a) != precedence(b) and (update(a, b) is None) != (update(b, a) is None)


def test_the_hash_is_strings_with_the_record_and_the_indexed_values():
    fields = alert_fields(doc(RESOLVED))
    assert all(isinstance(v, str) for v in fields.values())
    assert fields["record"] == canonical(doc(RESOLVED))
    assert (fields["status"], fields["shown"], fields["rule"], fields["subject"]) == (
        "RESOLVED", "RESOLVED", "DEPARTURE_WITHOUT_TRAINING", "W-1")
    assert alert_fields(doc(WITHDRAWN))["shown"] == "WITHDRAWN"
    assert "resolved_at" not in alert_fields(doc(OPENED))


def test_records_outside_the_vocabulary_are_refused():
    assert record_problem(to_record(OPENED)) is None
    assert "severity" in record_problem({**to_record(OPENED), "severity": "LOUD"})
    assert "status" in record_problem({**to_record(OPENED), "status": "CLOSED"})


def test_filters():
    assert filters_problem(None, None) is None and filters_problem("OPEN", "SPIKE") is None
    assert filters_problem("open", None) == "status must be one of OPEN, RESOLVED, not 'open'"
    assert filters_problem(None, "NOPE").startswith("unknown rule 'NOPE'")
    assert len(RULES) == 14 and {"SPIKE", "POSSIBLE_DUPLICATE"} <= set(RULES)
    assert query_sets(None, None, None) == ("union", [("status", "OPEN"), ("status", "RESOLVED")])
    assert query_sets("OPEN", None, "W-1") == ("inter", [("status", "OPEN"), ("subject", "W-1")])
    resolved = doc(RESOLVED)
    assert matches(resolved, "RESOLVED", "DEPARTURE_WITHOUT_TRAINING", "W-1")
    assert not matches(resolved, "OPEN", None) and not matches(resolved, None, "SPIKE")
    assert not matches(resolved, None, None, "W-2")


def test_alerts_are_listed_by_opening_then_id():
    later, earlier = doc(a_finding(opened_at=T + timedelta(hours=1))), doc(a_finding(subject=Subject(WORKER, "W-9")))
    assert in_order([later, earlier]) == [earlier, later]


def test_a_followed_alert_is_one_line_coloured_by_severity_and_dimmed_once_closed():
    opened = doc(OPENED)
    assert style(opened) == "yellow" and style({**opened, "severity": "CRITICAL"}) == "bold red"
    assert style(doc(RESOLVED)) == "yellow dim"
    text = line(doc(WITHDRAWN))
    assert "\n" not in text and "WITHDRAWN" in text and "WORKER W-1" in text and WITHDRAWN.message in text
