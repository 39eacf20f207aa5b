"""The alert channels on a real worker, Kafka and Redis (issue 7, must-show 3): alert records produced
to the alerts topic reach ``pantau alerts --follow`` (a real subprocess) live, coloured by severity;
the same records again change nothing in Redis and announce nothing; the API's filters answer from
Redis; ``pantau redis rebuild`` gives the live alerts back."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from domain.alert_projection import document, latest, shown
from domain.alerts import CRITICAL, EMPLOYER, INFO, WARNING, WORKER, Subject, finding, to_record, withdraw
from streams.alert_channels import AlertChannels
from streams.codec import AvroCodec
from streams.settings import PROJECT_ROOT
from streams.topic_reader import read_to_end
from streams.topics import TopicNames
from tests.expected import OWNED_PARTITIONS
from tests.follower import Follower
from tests.http import get
from tests.waiting import eventually

T = datetime(2026, 3, 1, tzinfo=timezone.utc)
CODEC = AvroCodec.named("alert")
RED = "\x1b[1;31m"  # rich's "bold red", CRITICAL


def an_alert(rule, severity, subject, evidence, resolved_at=None, message="W-1 departed with no certificate"):
    return finding(rule, severity, subject, (rule, subject.id), T, message, evidence, resolved_at=resolved_at)


TRAINING = an_alert("DEPARTURE_WITHOUT_TRAINING", WARNING, Subject(WORKER, "W-1"), ["P3MI-1:E-1"])
TRAINING_RESOLVED = an_alert("DEPARTURE_WITHOUT_TRAINING", WARNING, Subject(WORKER, "W-1"), ["P3MI-1:E-1", "LPK-1:C-1"],
                             resolved_at=T + timedelta(days=2))
UNDERAGE = an_alert("UNDERAGE_DEPARTURE", CRITICAL, Subject(WORKER, "W-2"), ["P3MI-1:E-7"],
                    message="W-2 departed to MY on 2026-03-01 via P3MI-1 aged 17 (under 18)")
SPIKE = an_alert("SPIKE", INFO, Subject(EMPLOYER, "Tan Sdn Bhd"), ["EMB-1:X-1", "EMB-1:X-2"],
                 message="Tan Sdn Bhd: 9 cases in 7 days, expected 1.0 (limit 7)")
SPIKE_WITHDRAWN = withdraw(SPIKE)


async def produce(settings, values: list[bytes], keys: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for key, value in zip(keys, values):
            await producer.send_and_wait(TopicNames(settings.topic_prefix).alerts, value, key=key)
    finally:
        await producer.stop()


def send(settings, *findings) -> None:
    asyncio.run(produce(settings, [CODEC.encode(to_record(f)) for f in findings], [f.alert_id.encode() for f in findings]))


async def _caught_up(settings) -> bool:
    """The worker's group has committed every record of the alerts topic: each was handled."""
    topic = TopicNames(settings.topic_prefix).alerts
    partitions = [TopicPartition(topic, p) for p in range(settings.partitions)]
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(settings.app_id, partitions=partitions)
        ends = await consumer.end_offsets(partitions)
    finally:
        await admin.close()
        await consumer.stop()
    return all(ends[tp] == 0 or (committed.get(tp) and committed[tp].offset >= ends[tp]) for tp in partitions)


def snapshot(client, prefix: str) -> dict[str, object]:
    """Every alert key of the prefix with its value; a stream as its entries."""
    readers = {"hash": client.hgetall, "set": client.smembers, "stream": client.xrange}
    return {key: readers[client.type(key)](key) for key in client.scan_iter(match=f"{prefix}:alerts:*", count=1000)}


def test_follow_prints_live_changes_and_replays_change_nothing(make_settings, workers, redis_client):
    settings = make_settings()
    prefix = settings.topic_prefix
    worker = workers(settings)
    eventually(lambda: worker.sample("pantau_assigned_partitions"), lambda owned: owned == OWNED_PARTITIONS, 120)
    send(settings, TRAINING)
    assert eventually(lambda: redis_client.hget(f"{prefix}:alerts:alert:{TRAINING.alert_id}", "record"), bool)

    as_json = Follower(settings, "--json")
    coloured = Follower(settings, "--status", "OPEN", FORCE_COLOR="1", COLUMNS="200")
    # What was there before following: listed first.
    assert json.loads(as_json.next_line()) == document(to_record(TRAINING))
    assert TRAINING.message in coloured.next_line()

    # Live: an undecodable record (a dead letter, not a stop), a new CRITICAL alert, a resolution,
    # an INFO alert and its withdrawal.
    asyncio.run(produce(settings, [b"not avro"], [b"junk"]))
    send(settings, UNDERAGE)
    assert json.loads(as_json.next_line()) == document(to_record(UNDERAGE))
    critical = coloured.next_line()
    assert UNDERAGE.message in critical and RED in critical
    send(settings, TRAINING_RESOLVED, SPIKE)
    followed = [json.loads(as_json.next_line()) for _ in range(2)]
    assert sorted(followed, key=lambda a: a["alert_id"]) == sorted(
        (document(to_record(f)) for f in (TRAINING_RESOLVED, SPIKE)), key=lambda a: a["alert_id"])
    assert SPIKE.message in coloured.next_line()  # --status OPEN: the resolution is not shown
    send(settings, SPIKE_WITHDRAWN)  # after the SPIKE was seen: in one batch with it, only the withdrawal would be
    assert json.loads(as_json.next_line()) == document(to_record(SPIKE_WITHDRAWN))
    assert eventually(lambda: asyncio.run(_caught_up(settings)), bool)
    live = snapshot(redis_client, prefix)
    assert len(live[f"{prefix}:alerts:stream"]) == 5  # one entry per change of shown status

    # Everything again, in another order: nothing visible changes, nothing is announced.
    send(settings, SPIKE_WITHDRAWN, TRAINING_RESOLVED, SPIKE, UNDERAGE, TRAINING)
    eventually(lambda: asyncio.run(_caught_up(settings)), bool)
    assert snapshot(redis_client, prefix) == live
    for follower in (as_json, coloured):
        status, errors = follower.interrupt()
        assert status == 0 and "Traceback" not in errors, errors
        assert follower.lines.empty()  # nothing more was printed

    # The API answers from Redis, filtered; bad filters are JSON errors.
    def ids(query: str) -> list[str]:
        status, body = get(worker, f"/api/alerts{query}")
        assert status == 200, body
        return [a["alert_id"] for a in body["alerts"]]

    assert sorted(ids("")) == sorted(f.alert_id for f in (TRAINING, UNDERAGE, SPIKE))
    assert ids("?status=OPEN") == [UNDERAGE.alert_id]
    assert sorted(ids("?status=RESOLVED")) == sorted([TRAINING.alert_id, SPIKE.alert_id])
    assert ids("?rule=SPIKE&subject_id=Tan%20Sdn%20Bhd") == [SPIKE.alert_id]
    assert ids("?subject_id=W-1&status=RESOLVED") == [TRAINING.alert_id]
    assert ids("?subject_id=W-1&status=OPEN") == [] and ids("?rule=OVERSTAY") == []
    assert get(worker, "/api/alerts?status=OPEN")[1]["alerts"] == [document(to_record(UNDERAGE))]
    for bad in ("?status=open", "?rule=NOPE"):
        status, body = get(worker, f"/api/alerts{bad}")
        assert status == 400 and set(body) == {"error"}

    dead = asyncio.run(_records(settings, TopicNames(prefix).dead_letter))
    assert [(d["reason"], d["topic"], d["original"]) for d in dead] == [
        ("NOT_AVRO", TopicNames(prefix).alerts, b"not avro")]

    # The rebuild: the same hashes and sets from the topic; the stream (what was announced) stays.
    worker.stop()
    redis_client.unlink(*(key for key in live if not key.endswith(":stream")))
    env = {**os.environ, "PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "PANTAU_REDIS_URL": settings.redis_url,
           "PANTAU_TOPIC_PREFIX": prefix}
    done = subprocess.run([sys.executable, "-m", "streams.cli", "redis", "rebuild"], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "3 alerts" in done.stdout
    assert snapshot(redis_client, prefix) == live

    listed = subprocess.run([sys.executable, "-m", "streams.cli", "alerts", "--json", "--status", "RESOLVED"], env=env,
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert [json.loads(text) for text in listed.stdout.splitlines()] == [
        document(to_record(f)) for f in sorted((TRAINING_RESOLVED, SPIKE_WITHDRAWN), key=lambda f: f.alert_id)]


async def _records(settings, topic: str) -> list[dict]:
    codec = AvroCodec.named("dead_letter")
    return [codec.decode(record.value) async for record in read_to_end(settings, topic)]


def test_concurrent_writers_leave_the_record_of_highest_precedence(make_settings, redis_client):
    """Two writers (a partition changing owner, a rebuild beside a worker) racing on the same alerts:
    each decision is applied only over the record it was made against, so the maximum survives."""
    settings = make_settings()
    prefix = settings.topic_prefix
    lives = [(TRAINING, TRAINING_RESOLVED), (SPIKE, SPIKE_WITHDRAWN), (UNDERAGE,)]
    alerts = [document(to_record(f)) for life in lives for f in life]

    async def race() -> None:
        writers = [AlertChannels(settings) for _ in range(4)]
        try:
            for _ in range(10):
                await asyncio.gather(*(w.write([r]) for w in writers for r in alerts))
                await asyncio.gather(*(w.write(list(reversed(alerts))) for w in writers))
        finally:
            for w in writers:
                await w.close()

    asyncio.run(race())
    expected = latest(alerts)
    for alert_id, alert in expected.items():
        assert json.loads(redis_client.hget(f"{prefix}:alerts:alert:{alert_id}", "record")) == alert
    assert redis_client.smembers(f"{prefix}:alerts:idx:status:OPEN") == {UNDERAGE.alert_id}
    assert redis_client.smembers(f"{prefix}:alerts:idx:status:RESOLVED") == {TRAINING.alert_id, SPIKE.alert_id}
    # Announced: each alert's first record, then only changes of its shown status.
    entries = [json.loads(fields["alert"]) for _, fields in redis_client.xrange(f"{prefix}:alerts:stream")]
    for alert_id in expected:
        said = [shown(a) for a in entries if a["alert_id"] == alert_id]
        assert said[-1] == shown(expected[alert_id]) and all(a != b for a, b in zip(said, said[1:]))
