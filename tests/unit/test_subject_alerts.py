"""What a SPIKE subject keeps (domain.subject_alerts): settling bounds it without changing what is
published, as long as incidents arrive less than ``spike_settle_after`` behind the watermark."""
from __future__ import annotations

import bisect
import random
from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.rules import spike
from domain.rules.context import Context
from domain.rules.incidents import DEPORTATION, EARLY_TERMINATION
from domain.rules.thresholds import DEFAULTS
from domain.subject_alerts import SubjectKept, reevaluate
from domain.timers import Timers
from domain.watermark import Watermark
from tests.unit.test_spike import AGENCY, T0, incident, steady

DAYS = 400


def history(rng: random.Random) -> list:
    """A year and more of steady traffic of two kinds with a few bursts, long and short."""
    out = steady(rng, 2, DAYS) + steady(rng, 1, DAYS, DEPORTATION, start=0.5)
    for start in rng.sample(range(30, DAYS - 20), 5):  # 8 to 25 in 1 to 10 days: most spike
        size, spread = rng.randint(8, 25), rng.uniform(0.1, 0.4)
        kind = rng.choice((EARLY_TERMINATION, DEPORTATION))
        out += [incident(start + i * spread, kind, f"burst-{start}-{i}") for i in range(size)]
    return out


def densest(incidents, span: timedelta) -> int:
    """The most incidents any ``span``-long stretch of the history holds: the bursts cluster, so a
    stretch can hold far more than the history's average (seed 2057879: 110 in 67 days, against 42)."""
    times = sorted(i.at for i in incidents)
    return max(bisect.bisect_left(times, at + span) - n for n, at in enumerate(times))


def live(incidents, settle_after: timedelta | None, delay: timedelta, rng: random.Random, lag: int = 0,
         batch: int = 1):
    """Each incident its own worker's message, arriving up to ``delay`` after its time; a sweep per day.
    ``lag``: the subject is judged against the watermark ``lag`` arrivals later than the one its
    incident was sent at (the lifecycle, which moves it, runs ahead of the SPIKE agent when
    replaying a backlog). ``batch``: messages applied before each judging (``agents.spikes``
    judges a subject once per batch of the incidents topic, at the latest watermark sent)."""
    context_of = lambda wall: Context(watermark=mark.at(wall),  # noqa: E731
                                      thresholds=replace(DEFAULTS, spike_settle_after=settle_after))
    arrivals = sorted((i.at + rng.random() * delay, n, i) for n, i in enumerate(incidents))
    mark, kept, timers, log, largest = Watermark(lateness=timedelta(hours=6)), SubjectKept(), Timers(), {}, 0

    def judge(wall, sent_at=None):
        nonlocal kept, largest
        kept, published = reevaluate(kept, AGENCY, T0, context_of(wall), sent_at)
        log.update((f.alert_id, f) for f in published)
        timers.set(AGENCY, kept.next_deadline)
        largest = max(largest, len(kept.incidents))

    sender, pending = Watermark(lateness=timedelta(hours=6)), {}
    for wall, _, arrived in arrivals[:lag]:
        mark = mark.observe(arrived.at, wall)
    for k, (wall, n, arrived) in enumerate(arrivals):
        sender = sender.observe(arrived.at, wall)
        if k + lag < len(arrivals):
            later_wall, _, later = arrivals[k + lag]
            mark = mark.observe(later.at, later_wall)
        pending[f"W-{n}"] = [arrived]
        if (k + 1) % batch and k + 1 < len(arrivals):
            continue
        kept, pending = kept.with_workers(pending), {}
        judge(wall, sender.at(wall))
        if timers.pop_due(mark.at(wall)):
            judge(wall)
    for day in range(1, 30):
        wall = arrivals[-1][0] + timedelta(days=day)
        if timers.pop_due(mark.at(wall)):
            judge(wall)
    return log, largest, mark.at(wall)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), settle_days=st.integers(2, 90), delay_share=st.floats(0, 0.95),
       lag=st.sampled_from([0, 0, 10, 200]))
@example(seed=2057879, settle_days=2, delay_share=0.0, lag=0)  # bursts clustered: see densest
def test_settling_publishes_what_keeping_everything_would(seed, settle_days, delay_share, lag):
    rng = random.Random(seed)
    incidents = history(rng)
    settle_after = timedelta(days=settle_days)
    log, largest, watermark = live(incidents, settle_after, settle_after * delay_share, rng, lag)
    everything = spike.findings(AGENCY, incidents, T0, Context(watermark=watermark))
    assert {a: f for a, f in log.items() if not f.withdrawn} == {f.alert_id: f for f in everything}
    assert everything  # the bursts were found: the comparison is not between two empty sets
    # What the subject holds spans the settled lag, a window and a baseline, not the whole history.
    span = (settle_after + DEFAULTS.spike_window + DEFAULTS.spike_baseline).days + settle_after.days
    assert largest < densest(incidents, timedelta(days=span + 30)) + 40


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), batch=st.sampled_from([2, 7, 50, 1000]), delay_days=st.integers(0, 30))
def test_judging_once_per_batch_publishes_what_judging_each_message_would(seed, batch, delay_days):
    rng = random.Random(seed)
    incidents = history(rng)
    delay = timedelta(days=delay_days)
    each, _, watermark = live(incidents, None, delay, random.Random(seed), batch=1)
    batched, _, _ = live(incidents, None, delay, random.Random(seed), batch=batch)
    standing = lambda log: {a: f for a, f in log.items() if not f.withdrawn}  # noqa: E731
    everything = spike.findings(AGENCY, incidents, T0, Context(watermark=watermark))
    assert standing(batched) == standing(each) == {f.alert_id: f for f in everything}
    assert everything
    assert len(batched) <= len(each)  # fewer alerts opened and withdrawn on the way, never more


def test_an_incident_later_than_the_settled_lag_changes_nothing_before_it():
    thresholds = replace(DEFAULTS, spike_settle_after=timedelta(days=30))
    rng = random.Random(5)
    kept, traffic = SubjectKept(), steady(rng, 2, 200)
    for n, found in enumerate(traffic):
        kept = kept.with_workers({f"W-{n}": [found]})
    day_200 = Context(watermark=T0 + timedelta(days=200), thresholds=thresholds)
    kept, _ = reevaluate(kept, AGENCY, T0, day_200, T0 + timedelta(days=195))
    assert kept.settled == T0 + timedelta(days=165)  # behind the watermark the incidents were sent at
    assert min(i.at for i in kept.incidents) > kept.settled - timedelta(days=7 + 56)
    burst = [incident(100 + i / 10, key=f"late-{i}") for i in range(20)]  # 100 days late: a burst on day 100
    kept, published = reevaluate(kept.with_workers({"W-late": burst}), AGENCY, T0, day_200, day_200.watermark)
    assert published == [] and "W-late" not in kept.by_worker
    # Kept whole, the same history would raise it.
    assert spike.findings(AGENCY, [*traffic, *burst], T0, Context(watermark=T0 + timedelta(days=200)))


def test_before_any_watermark_reaches_the_process_incidents_are_kept_and_judged_later():
    """A process can be handed a subject's incidents before the watermarks behind them (``since``
    None): it keeps them, publishes and withdraws nothing, and its timer judges them later."""
    rng = random.Random(11)
    history = steady(rng, 2, 70) + [incident(56 + i / 4, key=f"burst-{i}") for i in range(14)]
    day_59 = Context(watermark=T0 + timedelta(days=59))
    kept, [_] = reevaluate(SubjectKept().with_workers({"W-1": history[:-1]}), AGENCY, T0, day_59)
    late = incident(58.5, key="late")
    blind, published = reevaluate(kept.with_workers({"W-2": [late]}), AGENCY, None, Context())
    assert published == [] and blind.published == kept.published  # the open SPIKE stands
    assert blind.by_worker["W-2"] == (late,) and blind.next_deadline == min(i.at for i in history)
    # Judged once the watermark is known, as if it had been known all along.
    seen = reevaluate(kept.with_workers({"W-2": [late]}), AGENCY, T0, day_59)
    assert reevaluate(blind, AGENCY, T0, day_59) == seen and seen[1]  # the late incident changed the SPIKE


@settings(max_examples=200, deadline=None)
@given(updates=st.lists(st.tuples(st.integers(0, 5), st.lists(st.integers(0, 20), max_size=4)), max_size=30),
       cuts=st.sets(st.integers(1, 29)))
def test_one_update_of_many_workers_keeps_what_updating_them_one_at_a_time_would(updates, cuts):
    """A batch's messages grouped per subject (worker id → their latest incidents, an empty list
    dropping them), applied at once: the same as applying each message in turn."""
    pool = steady(random.Random(3), 2, 20)
    messages = [(f"W-{w}", [pool[i % len(pool)] for i in found]) for w, found in updates]
    one_by_one = SubjectKept()
    for worker_id, found in messages:
        one_by_one = one_by_one.with_workers({worker_id: found})
    batched, start = SubjectKept(), 0
    for end in [*sorted(c for c in cuts if c < len(messages)), len(messages)]:
        batched = batched.with_workers(dict(messages[start:end]))  # a later message of a worker wins
        start = end
    assert batched == one_by_one
    assert set(one_by_one.by_worker) == {w for w, found in dict(messages).items() if found}
