"""Reconciliation kept in Redis (issue 8): the sums the projection's script keeps equal the Python
definition (``domain.reconciliation.population``) under replays, stale writes and merges, and
``pantau reconcile --json`` and the counts topic on a pipeline fed by a running worker."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings

from domain.count_records import STATUS, Count, all_counts
from domain.counts import ABROAD_DIMENSIONS, canonical_counts
from domain.fold import fold
from domain.reconciliation import population
from streams.codec import AvroCodec
from streams.projection import RedisProjection
from streams.reconcile import read_summed
from streams.redis_keys import unlink_under
from streams.topic_reader import latest_by_key
from streams.topics import TopicNames
from tests.unit.test_reconciliation import populations
from tests.waiting import eventually


def project(settings_, writes=(), moved=()) -> None:
    async def run():
        projection = RedisProjection(settings_)
        try:
            await projection.write_many(writes, moved)
        finally:
            await projection.close()

    asyncio.run(run())


def forget(settings_) -> None:
    async def run():
        import redis.asyncio as aioredis

        client = aioredis.from_url(settings_.redis_url)
        await unlink_under(client, settings_.topic_prefix + ":")
        await client.aclose()

    asyncio.run(run())


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(populations())
def test_the_sums_in_redis_are_the_definition_under_replays_stale_writes_and_merges(base_settings, case_):
    _events, states = case_
    isolated = replace(base_settings, topic_prefix=f"t-reconcile-sums-{uuid.uuid4().hex[:6]}")
    try:
        older = [fold([{**e} for e in s_events[:1]], s["worker_id"]) for s, s_events in
                 ((s, _history(s, _events)) for s in states) if s["event_count"] > 1]
        project(isolated, writes=[*states, *states, *older])  # a replay, then stale states: ignored
        assert read_summed(isolated) == population(states)

        # Identity resolution merges every worker into the first: one new state, the others moved.
        survivor = fold([e for s in states for e in _history(s, _events)], states[0]["worker_id"])
        project(isolated, writes=[survivor], moved=[(s["worker_id"], survivor["worker_id"]) for s in states[1:]])
        assert read_summed(isolated) == population([survivor])
        project(isolated, moved=[(survivor["worker_id"], "W-0000000000000000")])
        assert read_summed(isolated) == {}
    finally:
        forget(isolated)


def _history(state: dict, events: list[dict]) -> list[dict]:
    keys = set(state["event_ids"])
    return [e for e in events if f"{e['source']['id']}:{e['event_id']}" in keys]


def test_pantau_reconcile_on_a_running_pipeline_is_the_direct_computation(make_settings, workers, tmp_path):
    from streams.publish import publish
    from streams.score import observe
    from tests.factories import full_journey, write_jsonl

    settings = make_settings()
    # Journeys whose embassy reports carry only the passport every third time: identity resolution
    # joins them to the person's NIK worker, so no source record is split over workers.
    events = []
    for i in range(60):
        for n, event in enumerate(full_journey(i)):
            if event["source"]["kind"] == "EMBASSY" and (i + n) % 3 == 0:
                event = {**event, "worker": {"passport_no": event["worker"]["passport_no"]}}
            events.append(event)
    asyncio.run(publish(settings, str(write_jsonl(tmp_path / "events.jsonl", events + events[:10]))))
    process = workers(settings)
    process.wait_processed(len(events) + 10, timeout=300)

    env = {"PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "PANTAU_REDIS_URL": settings.redis_url,
           "PANTAU_TOPIC_PREFIX": settings.topic_prefix}
    import os

    # The states reach the topic through faust's producer buffer, the projection writes Redis at
    # once: the two agree once the buffer is sent.
    states = eventually(lambda: list(asyncio.run(observe(settings)).states.values()),
                        lambda states: population(states) == read_summed(settings), timeout=60)
    expected = population(states)
    for by in ("country", "province", "sector"):
        done = subprocess.run([sys.executable, "-m", "streams.cli", "reconcile", "--by", by, "--json"],
                              env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        got = json.loads(done.stdout)
        assert got["rows"] and got["rows"] == json.loads(json.dumps(rows_of(expected, by)))
        for row in got["rows"]:
            for source in row["sources"].values():
                assert source["count"] - row["canonical"] == sum(source["causes"].values())
    assert len(states) == 60
    assert not any(row["sources"]["EMBASSY"]["causes"].get("SPLIT_RECORD") for row in rows_of(expected, "country"))
    assert_counts_topic_holds(settings, expected, canonical_counts(states)["status"])


def assert_counts_topic_holds(settings, summed, by_status) -> None:
    """The compacted counts topic, read whole, holds the records ``domain.count_records`` builds from the
    sums; any other cell it holds is one that vanished on the way there, at zero."""
    codec = AvroCodec.named("count")
    wanted = {c.topic_key: c for c in all_counts(summed, by_status).values()}

    def read():
        return {key.decode(): codec.decode(value) for key, value in
                asyncio.run(latest_by_key(settings, TopicNames(settings.topic_prefix).counts)).items()}

    def differences(records) -> dict:
        found = {key: Count(r["dimension"], r["key"], r["view"], r["count"], r["causes"]) for key, r in records.items()}
        wrong = {key: (found.get(key), c) for key, c in wanted.items() if found.get(key) != c}
        wrong.update({key: (c, "a zero") for key, c in found.items() if key not in wanted and c != Count(*c.cell, 0)})
        return wrong

    records = eventually(read, lambda records: not differences(records), timeout=60)
    assert differences(records) == {}
    for dimension in ABROAD_DIMENSIONS:
        assert any(r["dimension"] == dimension for r in records.values())
    assert {r["key"]: r["count"] for r in records.values() if r["dimension"] == STATUS and r["count"]} == dict(by_status)
    assert all(r["as_of"] is not None and r["as_of"] <= datetime.now(timezone.utc) for r in records.values())


def rows_of(summed, by):
    from domain.reconciliation import rows

    return rows(summed, by)
