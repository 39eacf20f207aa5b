"""Reconciliation kept in Redis (issue 8): the sums the projection's script keeps equal the Python
definition (``domain.reconciliation.population``) under replays, stale writes and merges, and
``pantau reconcile --json`` on a pipeline fed by a running worker."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from dataclasses import replace

from hypothesis import HealthCheck, given, settings

from domain.fold import fold
from domain.reconciliation import population
from streams.projection import RedisProjection
from streams.reconcile import read_summed
from streams.redis_keys import unlink_under
from tests.unit.test_reconciliation import populations


def project(settings_, writes=(), deletes=()) -> None:
    async def run():
        projection = RedisProjection(settings_)
        try:
            await projection.write_many(writes)
            for worker_id in deletes:
                await projection.delete(worker_id)
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

        # Identity resolution merges every worker into the first: one new state, the others deleted.
        survivor = fold([e for s in states for e in _history(s, _events)], states[0]["worker_id"])
        project(isolated, writes=[survivor], deletes=[s["worker_id"] for s in states[1:]])
        assert read_summed(isolated) == population([survivor])
        project(isolated, deletes=[survivor["worker_id"]])
        assert read_summed(isolated) == {}
    finally:
        forget(isolated)


def _history(state: dict, events: list[dict]) -> list[dict]:
    keys = set(state["event_ids"])
    return [e for e in events if f"{e['source']['id']}:{e['event_id']}" in keys]
