"""The HTTP API (DESIGN §9) on real worker processes, Kafka and Redis.

Two processes share a pipeline; whichever one is asked, every worker's document is the pure
fold of the events published for that worker, by id and by NIK or passport — the process that
does not own the worker's partition forwards the request to the one that does. Errors are JSON.
"""
from __future__ import annotations

import asyncio
import json
import random
from collections import Counter

from yarl import URL

from streams.cli import main
from streams.publish import publish
from streams.topic_reader import read_to_end
from tests.expected import OWNED_PARTITIONS, expected_states, served
from tests.factories import full_journey, write_jsonl
from tests.http import get
from streams.ports import free_port
from tests.waiting import eventually

WORKERS = 100
UNKNOWN = "W-0000000000000000"


def settled(pair) -> bool:
    """Every owned partition reported by exactly one process, with no lag, and both healthy."""
    lags = [p.consumer_lag() for p in pair]
    owned = [partition for lag in lags for partition in lag]
    caught_up = len(owned) == len(set(owned)) == OWNED_PARTITIONS and not any(v for lag in lags for v in lag.values())
    return caught_up and all(get(p, "/healthz")[0] == 200 for p in pair)


def test_both_processes_serve_every_worker_as_the_fold_of_its_events(make_settings, worker_pair, tmp_path):
    settings = make_settings()
    pair = worker_pair(settings)

    events = [event for i in range(WORKERS) for event in full_journey(i)]
    rng = random.Random(9)
    sent = events + rng.sample(events, len(events) // 20)  # partner retries
    rng.shuffle(sent)
    asyncio.run(publish(settings, str(write_jsonl(tmp_path / "events.jsonl", sent))))
    eventually(lambda: sum(p.processed() for p in pair), lambda done: done >= len(sent), 180)
    states = expected_states(sent)
    assert len(states) == WORKERS

    # Idle and caught up: healthy, with the lag of every owned partition exported, and 0.
    assert eventually(lambda: settled(pair), bool, 60)
    assert get(pair[0], "/healthz")[1]["stuck"] == []

    assert_routes_lead_to_the_process_holding_each_worker(settings, pair, set(states))

    for worker_id, state in states.items():
        document = served(state)
        (nik,), (passport,) = state["identifiers"]["niks"], state["identifiers"]["passports"]
        for process in pair:
            assert get(process, f"/api/workers/{worker_id}") == (200, document), worker_id
            assert get(process, f"/api/workers?nik={nik}") == (200, {"workers": [document]}), worker_id
            assert get(process, f"/api/workers?passport={passport}") == (200, {"workers": [document]}), worker_id
    for process in pair:
        assert get(process, f"/api/workers/{UNKNOWN}") == (404, {"error": f"no worker {UNKNOWN}"})

    statuses = dict(Counter(state["status"] for state in states.values()))
    counted = eventually(lambda: get(pair[1], "/api/counts?by=status"), lambda r: r[1].get("counts") == statuses, 30)
    assert counted == (200, {"by": "status", "counts": statuses})


def assert_routes_lead_to_the_process_holding_each_worker(settings, pair, worker_ids: set[str]) -> None:
    """Faust's routing (``/router/{table}/{key}/`` shows its answer) names, for every worker,
    the process that owns the changelog partition the worker's state was written to."""
    owner = {partition: p.settings.web_port for p in pair for (topic, partition) in p.consumer_lag() if topic.endswith("events-by-worker")}
    held = asyncio.run(changelog_partitions(settings))
    assert set(held) == worker_ids
    misrouted = [
        worker_id
        for worker_id, partition in held.items()
        for process in pair
        if URL(get(process, f"/router/workers/{worker_id}/")[1]).port != owner[partition]
    ]
    assert not misrouted, f"{len(misrouted)} of {2 * len(held)} routes name a process that does not hold the worker, e.g. {misrouted[:3]}"


async def changelog_partitions(settings) -> dict[str, int]:
    """Worker id → the partition of the workers table's changelog that holds it."""
    topic = f"{settings.app_id}-workers-changelog"
    return {record.key.decode(): record.partition async for record in read_to_end(settings, topic)}


def test_errors_are_json_and_the_raw_table_endpoint_is_off(make_settings, workers):
    settings = make_settings()
    process = workers(settings)
    eventually(lambda: process.sample("pantau_assigned_partitions"), lambda owned: owned == OWNED_PARTITIONS, 120)

    for path in ("/api/workers/not-a-worker", "/api/workers", "/api/workers?nik=3502010101850000&passport=C1000001",
                 "/api/workers?nik=123", "/api/workers?passport=12-AB", "/api/counts", "/api/counts?by=employer"):
        status, body = get(process, path)
        assert status == 400 and body["error"], path
    assert get(process, "/api/workers?nik=3502010101850000") == (200, {"workers": []})
    assert get(process, "/api/counts?by=country") == (200, {"by": "country", "counts": {}})
    # Faust's raw table pages would serve personal data: they are not there.
    for path in ("/table", "/table/", "/table/workers/", f"/table/workers/{UNKNOWN}/", "/no/such/page"):
        assert get(process, path) == (404, {"error": "not found"}), path

    status, health = eventually(lambda: get(process, "/healthz"), lambda r: r[0] == 200 and r[1]["partitions"] == OWNED_PARTITIONS, 60)
    assert health["status"] == "ok" and health["lag"] == 0
    assert len(process.consumer_lag()) == OWNED_PARTITIONS


def test_pantau_state_asks_a_worker_when_given_its_api(make_settings, workers, tmp_path, capsys):
    settings = make_settings()
    process = workers(settings)
    events = full_journey(3)
    asyncio.run(publish(settings, str(write_jsonl(tmp_path / "events.jsonl", events))))
    process.wait_processed(len(events))
    ((worker_id, state),) = expected_states(events).items()
    api = f"http://127.0.0.1:{settings.web_port}"

    for which in (["--worker", worker_id], ["--nik", state["identifiers"]["niks"][0]], ["--passport", state["identifiers"]["passports"][0]]):
        capsys.readouterr()
        assert main(["state", "--api", api, *which, "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == served(state)
    assert main(["state", "--api", api, "--worker", worker_id]) == 0
    panel = capsys.readouterr().out
    assert worker_id in panel and "episodes" in panel and state["identifiers"]["niks"][0] not in panel

    assert main(["state", "--api", api, "--worker", UNKNOWN]) == 1
    assert capsys.readouterr().err == f"pantau: error: no worker {UNKNOWN}\n"
    assert main(["state", "--api", api, "--nik", "3502010101850000"]) == 1
    assert capsys.readouterr().err == "pantau: error: no worker with that NIK\n"
    assert main(["state", "--api", f"http://127.0.0.1:{free_port()}", "--worker", worker_id]) == 1
    assert "no worker API answers" in capsys.readouterr().err
