"""The wiring's core: what the stream keeps per worker and per SPIKE subject, one re-evaluation step,
the pipeline's watermark from its partitions', and the reference index."""
from __future__ import annotations

import random
from datetime import timedelta

from domain.alerts import OPEN, RESOLVED, from_record, to_record
from domain.lifecycle import worker_id_for, worker_key
from domain.reference import DESTINATION_POLICY, P3MI_LICENCES
from domain.reference_index import ReferenceIndex
from domain.rules.context import Context
from domain.subject_alerts import SubjectKept
from domain.subject_alerts import reevaluate as judge_subject
from domain.timers import Timers
from domain.watermark import Watermark, least, lowest
from domain.worker_alerts import EMPTY, forget, reevaluate
from streams.alerting import Codecs, subject_key
from streams.subjects import Subjects
from tests.rule_events import (
    REFERENCE, WORKER_ID, case, departure, homecoming, moment, placement, registration, training,
)
from tests.unit.test_rules_order import population, replay

VERSIONS = {(P3MI_LICENCES, "P3MI-0042"): "v1", (DESTINATION_POLICY, "MY:DOMESTIC_WORKER"): "v1"}


def at(day: float) -> Context:
    return Context(REFERENCE, moment(day))


def test_a_worker_evaluated_again_with_what_was_kept_publishes_nothing_new():
    events = [registration(-20), departure(0)]  # no certificate: DEPARTURE_WITHOUT_TRAINING; unplaced after 14 days
    first = reevaluate(EMPTY, events, WORKER_ID, at(20), VERSIONS)
    assert {f.rule for f in first.publish} == {"DEPARTURE_WITHOUT_TRAINING", "UNCONFIRMED_PLACEMENT"}
    assert first.state["open_alerts"] == ["DEPARTURE_WITHOUT_TRAINING", "UNCONFIRMED_PLACEMENT"]
    assert first.state["event_count"] == 2 and first.kept.open_rules == first.state["open_alerts"]
    # A redelivered batch, a restart: the same row, nothing to publish.
    again = reevaluate(first.kept, events, WORKER_ID, at(20), VERSIONS)
    assert again.publish == [] and again.kept == first.kept


def test_a_late_placement_resolves_and_a_vanished_finding_is_withdrawn_once():
    events = [training(-30), departure(0)]
    opened = reevaluate(EMPTY, events, WORKER_ID, at(15), VERSIONS)
    [unconfirmed] = opened.publish
    resolved = reevaluate(opened.kept, [*events, placement(20)], WORKER_ID, at(25), VERSIONS)
    assert [(f.alert_id, f.status) for f in resolved.publish] == [(unconfirmed.alert_id, RESOLVED)]
    assert resolved.state["open_alerts"] == [] == resolved.kept.open_rules
    # A placement the embassy dated within the 14 days, arriving late: the alert never held.
    answered = reevaluate(opened.kept, [*events, placement(10)], WORKER_ID, at(25), VERSIONS)
    [withdrawn] = answered.publish
    assert withdrawn.alert_id == unconfirmed.alert_id and withdrawn.withdrawn and withdrawn.message.startswith("withdrawn: ")
    assert reevaluate(answered.kept, [*events, placement(10)], WORKER_ID, at(30), VERSIONS).publish == []


def test_the_row_keeps_the_deadline_and_the_reference_records_read_with_their_version():
    kept = reevaluate(EMPTY, [training(-30), registration(-20), departure(0)], WORKER_ID, at(1), VERSIONS).kept
    assert kept.next_deadline == moment(14)
    assert kept.reference == {(P3MI_LICENCES, "P3MI-0042"): "v1", (DESTINATION_POLICY, "MY:DOMESTIC_WORKER"): "v1"}
    assert not kept.stale(VERSIONS)
    assert kept.stale({**VERSIONS, (P3MI_LICENCES, "P3MI-0042"): "v2"})
    assert kept.stale({(DESTINATION_POLICY, "MY:DOMESTIC_WORKER"): "v1"})  # the licence record was deleted


def test_subjects_hear_only_when_the_workers_incidents_against_them_change():
    events = [training(-30), departure(0), placement(3), case(10)]
    first = reevaluate(EMPTY, events, WORKER_ID, at(11), VERSIONS)
    assert {(s.kind, s.id) for s in first.incidents_by_subject} == {("EMPLOYER", "Tan Sdn Bhd"), ("P3MI", "P3MI-0042"),
                                                                   ("COUNTRY", "MY")}
    assert all(len(found) == 1 for found in first.incidents_by_subject.values())
    assert reevaluate(first.kept, events, WORKER_ID, at(12), VERSIONS).incidents_by_subject == {}
    deported = reevaluate(first.kept, [*events, homecoming(40, reason="DEPORTED")], WORKER_ID, at(41), VERSIONS)
    assert all(len(found) == 2 for found in deported.incidents_by_subject.values())


def test_a_merged_away_worker_has_every_standing_alert_withdrawn_and_leaves_every_subject():
    events = [registration(-20), departure(0), placement(3), case(10)]
    kept = reevaluate(EMPTY, events, WORKER_ID, at(60), VERSIONS).kept
    standing = {a for a, f in kept.published.items() if not f.withdrawn}
    assert standing
    gone = forget(kept)
    assert {f.alert_id for f in gone.publish} == standing and all(f.withdrawn for f in gone.publish)
    assert gone.state is None and gone.kept == EMPTY
    assert set(gone.incidents_by_subject.values()) == {()} and len(gone.incidents_by_subject) == 3


def test_living_through_the_stream_step_by_step_equals_replaying_it_and_redelivery_changes_nothing():
    """The live loop of test_rules_order, through ``reevaluate`` and kept rows, with the watermark the
    least of two partitions' and every batch delivered twice (a crash before the commit)."""
    events = population(40)
    rng = random.Random(3)
    arrivals = sorted((e["occurred_at"] + rng.random() * timedelta(hours=5), i, e) for i, e in enumerate(events))
    marks = [Watermark(lateness=timedelta(hours=6), idle_after=timedelta(minutes=5))] * 2
    rows, histories, timers, log = {}, {}, Timers(), {}

    def step(worker_id, wall):
        context = Context(REFERENCE, least(marks, wall))
        for _ in range(2):  # delivered, then delivered again
            outcome = reevaluate(rows.get(worker_id, EMPTY), histories[worker_id], worker_id, context, {})
            rows[worker_id] = outcome.kept
            log.update((f.alert_id, f) for f in outcome.publish)
            timers.set(worker_id, outcome.kept.next_deadline)
            assert reevaluate(outcome.kept, histories[worker_id], worker_id, context, {}).publish == []

    for wall, i, event in arrivals:
        worker_id = worker_id_for(worker_key(event))
        partition = hash(worker_id) % 2
        marks[partition] = marks[partition].observe(event["occurred_at"], wall)
        histories.setdefault(worker_id, []).append(event)
        step(worker_id, wall)
        for due in timers.pop_due(least(marks, wall)):
            step(due, wall)
    for _ in range(60):
        wall += timedelta(days=1)
        for due in timers.pop_due(least(marks, wall)):
            step(due, wall)
    assert not any(f.withdrawn for f in log.values())
    assert log == replay(events, least(marks, wall))
    assert {f.status for f in log.values()} == {OPEN, RESOLVED}


def test_the_pipeline_watermark_is_the_least_partition_and_a_partition_without_events_holds_nothing_back():
    wall = moment(100)
    ahead = Watermark().observe(moment(50), wall)
    behind = Watermark().observe(moment(10), wall).observe(moment(40), wall)
    assert least([ahead, behind, Watermark()], wall) == moment(40) - timedelta(hours=1)
    assert lowest([ahead, behind, Watermark()]) == moment(10)
    assert least([Watermark()], wall) is None and lowest([]) is None
    # Idle partitions move on with the wall clock, so an idle one does not hold the pipeline back forever.
    assert least([ahead, behind], wall + timedelta(days=1)) == moment(41) - timedelta(hours=1, minutes=1)


def test_the_reference_index_names_the_workers_that_read_a_record_now():
    licence_1, licence_2, policy = ("p3mi-licences", "P3MI-1"), ("p3mi-licences", "P3MI-2"), ("destination-policy", "MY:OTHER")
    index = ReferenceIndex()
    index.update("W-1", (), [licence_1, policy])
    index.update("W-2", (), [licence_1])
    assert index.workers(licence_1) == {"W-1", "W-2"}
    index.update("W-1", [licence_1, policy], [licence_2])
    assert index.workers(licence_1) == {"W-2"} and index.workers(licence_2) == {"W-1"}
    assert index.workers(policy) == frozenset()
    index.update("W-2", [licence_1], ())
    assert index.workers(licence_1) == frozenset()
    index.update("W-3", [policy], ())  # a key the index does not hold (a rebuild since) is no error
    assert index.workers(policy) == frozenset() and index.workers(licence_2) == {"W-1"}


def test_a_subject_keeps_each_workers_latest_incidents_and_judges_their_union():
    kept = SubjectKept()
    since = moment(-60)
    for w in range(8):  # eight deportations against one P3MI within a week, after a quiet baseline
        worker = {"nik": f"320108511186{w:04d}", "passport_no": None}
        events = [departure(0, worker=worker), homecoming(30 + w / 2, worker=worker, reason="DEPORTED")]
        outcome = reevaluate(EMPTY, events, f"W-{w}", at(40), {})
        [(subject, found)] = [(s, f) for s, f in outcome.incidents_by_subject.items() if s.kind == "P3MI"]
        kept = kept.with_workers({f"W-{w}": found})
    kept, publish = judge_subject(kept, subject, since, at(34))
    [spike] = publish
    assert (spike.rule, spike.status, spike.subject) == ("SPIKE", OPEN, subject)
    assert judge_subject(kept, subject, since, at(34))[1] == []  # kept: nothing new
    for w in range(8):  # the workers drop out (merged away, reasons corrected): the run never held
        kept = kept.with_workers({f"W-{w}": ()})
    kept, publish = judge_subject(kept, subject, since, at(50))
    assert [f.withdrawn for f in publish] == [True] and kept.incidents == []


def test_rows_read_back_as_they_were_kept():
    codecs = Codecs()
    events = [registration(-20), departure(0), placement(3), case(10)]
    kept = reevaluate(EMPTY, events, WORKER_ID, at(60), VERSIONS).kept
    assert codecs.kept(codecs.encode_kept(WORKER_ID, kept)) == kept
    for f in kept.published.values():
        assert from_record(to_record(f)) == f
    subject, found = next(iter(reevaluate(EMPTY, events, WORKER_ID, at(60), VERSIONS).incidents_by_subject.items()))
    sent_at = at(60).watermark
    assert codecs.incidents(codecs.encode_incidents(WORKER_ID, subject, found, sent_at)) == (WORKER_ID, subject, found, sent_at)
    judged, _ = judge_subject(SubjectKept().with_workers({WORKER_ID: found}), subject, moment(-60), at(60), sent_at)
    stored = codecs.encode_subject(subject, judged)
    assert codecs.subject(stored) == (subject, judged)
    assert Subjects(Codecs()).read(subject_key(subject), stored) == (subject, judged)  # a fresh process
