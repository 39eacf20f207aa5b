"""Alerts on the real broker (issue 7, must-show 4): a simulated population published in paced chunks
(the watermark moving, timers firing between them) gives the alerts a replay from scratch gives;
restarting the worker publishes nothing again; re-processing from the beginning with the derived
state gone leaves the set of alerts (ids and statuses) unchanged."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata

from agents.spikes import GATHER_SECONDS
from domain.reference import DESTINATION_POLICY, P3MI_LICENCES
from simulator.reference_data import FILES
from streams.admin import ensure_topics
from streams.codec import AvroCodec
from streams.publish import publish
from streams.reference import publish_reference
from streams.topic_reader import partitions_of, read_to_end
from streams.topics import TopicNames

ALERTS = AvroCodec.named("alert")
CHUNKS = 4


def alert_records(settings) -> list[tuple[int, int, dict]]:
    """(partition, offset, alert) of every record on the alerts topic, in offset order per partition: an
    alert id is a key, so all the records of one alert are in one partition, latest last."""
    async def read():
        return [(r.partition, r.offset, ALERTS.decode(r.value))
                async for r in read_to_end(settings, TopicNames(settings.topic_prefix).alerts)]

    return sorted(asyncio.run(read()), key=lambda record: record[:2])


def standing(records: list[tuple[int, int, dict]]) -> dict[str, str]:
    """Alert id → status of the latest record per id, withdrawn alerts left out (their cause never held)."""
    latest = {r["alert_id"]: r for _, _, r in records}
    return {a: r["status"] for a, r in latest.items() if r["details"].get("withdrawn") != "true"}


def settle(process, settings, events: int, quiet: float = GATHER_SECONDS + 6.0) -> list[tuple[int, int, dict]]:
    """Wait until ``events`` are processed and the alerts topic has stopped growing (timers fired, and the
    SPIKE agent's last gathering of incidents judged)."""
    process.wait_processed(events, timeout=600)
    records, since = alert_records(settings), time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(1.0)
        now = alert_records(settings)
        if len(now) != len(records):
            records, since = now, time.monotonic()
    return records


def forget_derived_state(settings) -> None:
    """What a new consumer group would start from: no tables (changelogs, local stores), offsets at the
    beginning. The pipeline's own topics — ingest, by-worker, alerts — stay."""

    async def reset():
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
        await admin.start()
        try:
            await admin.delete_topics([t for t in await admin.list_topics() if t.startswith(f"{settings.app_id}-")])
        finally:
            await admin.close()
        topics = TopicNames(settings.topic_prefix)
        consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=settings.app_id,
                                    enable_auto_commit=False)
        await consumer.start()
        try:
            tps = [TopicPartition(t, p) for t in (*topics.all_ingest, topics.by_worker, topics.incidents)
                   for p in await partitions_of(settings, t)]
            consumer.assign(tps)
            await consumer.commit({tp: OffsetAndMetadata(0, "") for tp in tps})
        finally:
            await consumer.stop()

    asyncio.run(reset())
    shutil.rmtree(settings.state_dir)


def test_paced_live_equals_replay_and_restarts_and_reprocessing_change_no_alert(make_settings, workers, tmp_path):
    settings = make_settings()
    population = tmp_path / "population"
    subprocess.run([sys.executable, "-m", "streams.cli", "simulate", "--workers", "300", "--seed", "3",
                    "--out", str(population), "--processes", "1"], check=True, capture_output=True)
    asyncio.run(ensure_topics(settings))
    for kind in (P3MI_LICENCES, DESTINATION_POLICY):
        asyncio.run(publish_reference(settings, kind, str(population / "reference" / FILES[kind])))
    lines = (population / "events.jsonl").read_text().splitlines(keepends=True)

    first = workers(settings, "live")
    size = -(-len(lines) // CHUNKS)
    for n in range(CHUNKS):  # in arrival order, each chunk processed before the next is sent
        chunk = tmp_path / f"chunk-{n}.jsonl"
        chunk.write_text("".join(lines[n * size:(n + 1) * size]))
        assert asyncio.run(publish(settings, str(chunk))).sent == len(lines[n * size:(n + 1) * size])
        live = settle(first, settings, min((n + 1) * size, len(lines)))
    live_standing = standing(live)
    assert {r["rule"] for _, _, r in live} >= {"UNCONFIRMED_PLACEMENT", "OVERSTAY", "RETURN_WITHOUT_DEPARTURE", "SPIKE"}
    assert {"OPEN", "RESOLVED"} <= set(live_standing.values())

    first.stop()
    restarted = workers(settings, "restarted")  # same data dir: tables restored, nothing to publish again
    restarted.wait_processed(0)
    time.sleep(15)
    assert alert_records(settings) == live
    restarted.stop()

    forget_derived_state(settings)
    ends = {}
    for partition, offset, _ in live:
        ends[partition] = offset + 1
    again = workers(settings, "replay")
    # The by-worker topic now holds every event twice (the first run's copies, and the replay's).
    everything = settle(again, settings, 2 * len(lines))
    replay = [record for record in everything if record[1] >= ends.get(record[0], 0)]
    assert replay, "the replay published nothing: it did not re-process"
    # Re-processing is another pass through the stream, batch by batch: a report that arrived later than
    # the allowed lateness may again raise and withdraw what never held. What stands is the same.
    assert standing(replay) == live_standing
    assert standing(everything) == live_standing
