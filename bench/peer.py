"""Runs the Quix Streams peer (``bench.peers.quix_fold``) on a pipeline's ingest topics, in its own
process, and times it from its start to the last state produced.

"Produced" is read from the broker, not from the peer: under at-least-once the state topic's end
offsets (one state per event, so they reach the event count exactly); under exactly-once the
states become visible only when a transaction commits, which is also when the peer's consumer
group commits its input offsets, so the peer is done when those reach the ingest topics' ends."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from rich.progress import Progress

from bench import proc
from streams.admin import ensure_topics
from streams.settings import PROJECT_ROOT, Settings
from streams.topic_reader import partitions_of
from streams.topics import TopicNames, TopicSpec

QUIX_GUARANTEE = {"at_least_once": "at-least-once", "exactly_once": "exactly-once"}


def peer_names(settings: Settings) -> tuple[str, str]:
    """The peer's consumer group and state topic; the group also names Quix's changelog topics."""
    return f"{settings.app_id}-quix-peer", f"{settings.topic_prefix}.peer-state"


async def run_peer(settings: Settings, workdir: Path, expected: int, guarantee: str, progress: Progress) -> dict:
    group, output = peer_names(settings)
    await ensure_topics(settings, [TopicSpec(output, settings.partitions)])
    ingest = TopicNames(settings.topic_prefix).all_ingest
    command = [sys.executable, "-m", "bench.peers.quix_fold", "--bootstrap", settings.kafka_bootstrap,
               "--group", group, "--state-dir", str(workdir / "quix-state"), "--guarantee", QUIX_GUARANTEE[guarantee],
               "--output", output, *ingest]
    log_path = workdir / "quix-peer.log"
    done_of = _produced(settings, output) if guarantee == "at_least_once" else _committed(settings, group, ingest)
    with log_path.open("ab") as log:
        started = time.monotonic()
        peer = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
    task = progress.add_task(f"quix peer {peer.pid}", total=expected)
    first = None
    try:
        async for done in done_of:
            if first is None and done:
                first = time.monotonic()
            progress.update(task, completed=done)
            if done >= expected:
                break
            if peer.poll() is not None:
                raise RuntimeError(f"the Quix peer exited with {peer.returncode}; see {log_path}")
        finished = time.monotonic()
        cpu, rss = proc.cpu_seconds(peer.pid), proc.peak_rss_bytes(peer.pid)
    finally:
        await done_of.aclose()
        peer.terminate()
        peer.wait(30)
    seconds = finished - started
    return {"events": expected, "seconds": round(seconds, 2), "events_per_s": round(expected / seconds),
            "startup_seconds": round((first or finished) - started, 2),
            "cpu_seconds": round(cpu, 2), "events_per_cpu_s": round(expected / cpu),
            "peak_rss_mib": round(rss / 2**20)}


async def _produced(settings: Settings, topic: str, every: float = 0.25):
    """Yields the records on ``topic`` (its end offsets summed), every ``every`` seconds."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in await partitions_of(settings, topic)]
        while True:
            yield sum((await consumer.end_offsets(partitions)).values())
            await asyncio.sleep(every)
    finally:
        await consumer.stop()


async def _committed(settings: Settings, group: str, topics: list[str], every: float = 0.25):
    """Yields the offsets ``group`` has committed on ``topics``, summed, every ``every`` seconds."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        while True:
            offsets = await admin.list_consumer_group_offsets(group)
            yield sum(meta.offset for tp, meta in offsets.items() if tp.topic in topics and meta.offset > 0)
            await asyncio.sleep(every)
    finally:
        await admin.close()


async def delete_changelogs(settings: Settings) -> None:
    """Quix's changelog topics are named after the group, outside the prefix that ``reset`` deletes."""
    group, _ = peer_names(settings)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        ours = [topic for topic in await admin.list_topics() if topic.startswith(f"changelog__{group}--")]
        if ours:
            await admin.delete_topics(ours)
    finally:
        await admin.close()
