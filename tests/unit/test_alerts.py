"""Findings, alert ids, what to publish; the watermark; the timer index."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.alerts import OPEN, RESOLVED, WORKER, Subject, alert_id, changes, finding, to_record
from domain.rules import WORKER_RULES, spike
from domain.timers import Timers
from domain.watermark import Watermark, bound, reached
from streams.codec import AvroCodec
from streams.settings import PROJECT_ROOT

T = datetime(2026, 3, 1, tzinfo=timezone.utc)
SUBJECT = Subject(WORKER, "W-1")
ALERT_SCHEMA = PROJECT_ROOT / "schemas" / "alert" / "v1.avsc"


def a_finding(cause=("P3MI-0042:E-1",), resolved_at=None):
    return finding("UNDERAGE_DEPARTURE", "CRITICAL", SUBJECT, cause, T, "W-1 departed aged 17", ["b", "a", "a"],
                   resolved_at=resolved_at, details={"age": 17})


def test_the_alert_id_is_a_function_of_rule_subject_and_cause_only():
    assert a_finding().alert_id == alert_id("UNDERAGE_DEPARTURE", SUBJECT, ["P3MI-0042:E-1"])
    assert a_finding().alert_id == replace(a_finding(), message="other").alert_id
    assert a_finding().alert_id != a_finding(("P3MI-0042:E-2",)).alert_id
    assert alert_id("OVERSTAY", SUBJECT, ["x"]) != alert_id("OVERSTAY", Subject(WORKER, "W-2"), ["x"])
    assert a_finding().alert_id.startswith("A-") and len(a_finding().alert_id) == 22


def test_the_record_follows_the_alert_schema():
    record = to_record(a_finding(resolved_at=T + timedelta(days=1)))
    assert record == {
        "alert_id": a_finding().alert_id, "rule": "UNDERAGE_DEPARTURE", "severity": "CRITICAL",
        "subject": {"kind": "WORKER", "id": "W-1"}, "status": RESOLVED, "opened_at": T,
        "resolved_at": T + timedelta(days=1), "message": "W-1 departed aged 17", "evidence": ["a", "b"],
        "details": {"age": "17"},
    }


def test_changes_publish_what_is_new_or_changed_and_withdraw_what_vanished():
    opened, other = a_finding(), a_finding(("P3MI-0042:E-2",))
    assert changes({}, [opened]) == [opened]
    assert changes({opened.alert_id: opened}, [opened]) == []
    resolved = a_finding(resolved_at=T + timedelta(days=2))
    assert changes({opened.alert_id: opened}, [resolved]) == [resolved]
    [withdrawn, new] = sorted(changes({opened.alert_id: opened}, [other]), key=lambda f: f.alert_id != opened.alert_id)
    assert (withdrawn.alert_id, withdrawn.status, withdrawn.resolved_at) == (opened.alert_id, RESOLVED, opened.opened_at)
    assert withdrawn.withdrawn and withdrawn.message.startswith("withdrawn: ") and new == other
    assert changes({withdrawn.alert_id: withdrawn}, []) == []  # withdrawn once only
    assert opened.status == OPEN


def test_the_watermark_trails_the_highest_event_time_and_never_moves_back():
    mark = Watermark(lateness=timedelta(hours=1), idle_after=timedelta(minutes=1))
    assert mark.at(T) is None
    mark = mark.observe(T + timedelta(hours=5), wall=T)
    assert mark.at(T) == T + timedelta(hours=4)
    mark = mark.observe(T, wall=T + timedelta(seconds=1))  # a late event
    assert mark.at(T + timedelta(seconds=1)) == T + timedelta(hours=4)
    assert (mark.highest, mark.lowest) == (T + timedelta(hours=5), T)


def test_idle_sources_let_the_wall_clock_move_it_on_and_a_later_event_keeps_that_progress():
    mark = Watermark(lateness=timedelta(hours=1), idle_after=timedelta(minutes=1)).observe(T, wall=T)
    assert mark.at(T + timedelta(seconds=59)) == T - timedelta(hours=1)
    assert mark.at(T + timedelta(minutes=1, hours=3)) == T + timedelta(hours=2)
    mark = mark.observe(T, wall=T + timedelta(minutes=1, hours=3))
    assert mark.at(T + timedelta(minutes=1, hours=3)) == T + timedelta(hours=2)


def test_how_far_a_pipeline_got_is_its_slowest_partitions_last_watermark_without_the_wall_clock():
    lead = Watermark().observe(T + timedelta(hours=9), wall=T)
    slow = Watermark().observe(T + timedelta(hours=3), wall=T)
    assert reached([lead, slow, Watermark()]) == T + timedelta(hours=2)  # a partition without events holds nothing back
    assert slow.at(T + timedelta(days=1)) > reached([lead, slow])  # idle time since is not progress
    assert reached([Watermark()]) is None


def test_a_bound_on_what_is_still_to_come_needs_every_partition_read():
    lead = Watermark().observe(T + timedelta(hours=9), wall=T)
    slow = Watermark().observe(T + timedelta(hours=3), wall=T)
    assert bound([lead, slow], 3, T) is None  # the third partition's events may be from any time
    assert bound([lead, slow, lead], 3, T) == T + timedelta(hours=2)


def test_timers_pop_what_is_due_once_and_honour_replacement_and_cancelling():
    timers = Timers()
    timers.set("a", T + timedelta(days=2))
    timers.set("b", T + timedelta(days=1))
    timers.set("c", T + timedelta(days=1))
    timers.set("a", T + timedelta(days=3))  # replaced
    timers.set("c", None)  # cancelled
    assert timers.pop_due(None) == [] and timers.pop_due(T) == []
    assert timers.pop_due(T + timedelta(days=2)) == ["b"]
    assert timers.pop_due(T + timedelta(days=9)) == ["a"] and len(timers) == 0



def test_the_rules_are_the_thirteen_of_design_section_5_each_named_in_the_alert_schema():
    rule_doc = next(f["doc"] for f in json.loads(ALERT_SCHEMA.read_text())["fields"] if f["name"] == "rule")
    assert {*WORKER_RULES, spike.RULE} == set(re.findall(r"[A-Z][A-Z0-9_]{3,}", rule_doc))
    assert len(WORKER_RULES) == 12


def test_a_record_encodes_as_the_alert_schema_and_back():
    alerts = AvroCodec.named("alert")
    record = to_record(a_finding(resolved_at=T + timedelta(days=1)))
    assert alerts.decode(alerts.encode(record)) == record


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(
    st.tuples(st.just("set"), st.integers(0, 30), st.one_of(st.none(), st.integers(0, 4000))),
    st.tuples(st.just("pop"), st.integers(0, 3), st.none()),
), min_size=300, max_size=600))
def test_timers_behave_as_a_map_of_deadlines_and_hold_no_more_than_twice_the_live_ones(operations):
    """Against a plain dict of deadlines, whatever the order of replacements, cancels and pops; and
    the heap's stale entries (replaced or cancelled deadlines) are bounded by the live ones."""
    timers, model, watermark = Timers(), {}, T
    for operation, key, days in operations:
        if operation == "set":
            due = None if days is None else T + timedelta(days=days)
            timers.set(key, due)
            model.pop(key, None) if due is None else model.update({key: due})
        else:
            watermark += timedelta(days=key)
            due = timers.pop_due(watermark)
            assert sorted(due) == sorted(k for k, when in model.items() if when <= watermark)
            assert [model[k] for k in due] == sorted(model[k] for k in due)  # earliest first
            model = {k: when for k, when in model.items() if when > watermark}
        assert len(timers) == len(model)
        assert len(timers._heap) <= 2 * len(model) + 64  # private: the bound is the point
