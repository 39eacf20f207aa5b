"""Alert latency: from an alert record published on the alerts topic to its line in ``pantau alerts --follow``.

On a fresh ``PANTAU_TOPIC_PREFIX``: one ``pantau worker`` and one follower (``--follow --json``,
a child process reading the Redis stream). Alerts are produced one at a time, each once the
previous one was printed; a latency is from just before the send (acks=all) until the follower's
line is read by this process — through the broker, the worker's alert-channels agent (its batch
wait included), Redis, and the follower.

    python -m bench.alert_latency --alerts 50 --json

prints one JSON line: alerts, median_ms, p90_ms, max_ms.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import time
from datetime import datetime, timezone

from aiokafka import AIOKafkaProducer

from domain.alerts import WARNING, WORKER, Subject, finding, to_record
from streams.admin import ensure_topics
from streams.codec import AvroCodec
from streams.reset import reset
from bench.isolated import isolated_pipeline
from streams.settings import Settings
from streams.topics import TopicNames
from streams.worker_process import WorkerProcess
from tests.expected import OWNED_PARTITIONS
from tests.follower import Follower
from tests.waiting import eventually


def an_alert(n: int) -> dict:
    subject = Subject(WORKER, f"W-{n:016x}")
    return to_record(finding("OVERSTAY", WARNING, subject, (str(n),), datetime.now(timezone.utc),
                             f"{subject.id}: bench alert {n}", [f"EMB-1:B-{n}"]))


async def measure(settings: Settings, follower: Follower, count: int) -> list[float]:
    codec, topic = AvroCodec.named("alert"), TopicNames(settings.topic_prefix).alerts
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    latencies = []
    try:
        for n in range(count + 1):  # the first one warms up the path and is not counted
            record = an_alert(n)
            sent = time.monotonic()
            await producer.send_and_wait(topic, codec.encode(record), key=record["alert_id"].encode())
            arrived, text = await asyncio.get_running_loop().run_in_executor(None, follower.next_arrival)
            if json.loads(text)["alert_id"] != record["alert_id"]:
                raise RuntimeError(f"expected {record['alert_id']}, the follower printed {text}")
            if n:
                latencies.append(arrived - sent)
    finally:
        await producer.stop()
    return latencies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.alert_latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=50, help="alerts to time (default 50)")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)

    settings, workdir = isolated_pipeline()
    asyncio.run(ensure_topics(settings))
    worker = WorkerProcess(settings, workdir / "worker.log").start()
    follower = None
    try:
        eventually(lambda: worker.sample("pantau_assigned_partitions"), lambda n: n == OWNED_PARTITIONS, 120)
        follower = Follower(settings, "--json")
        latencies = asyncio.run(measure(settings, follower, args.alerts))
    finally:
        if follower is not None:
            follower.interrupt()
        worker.stop()
        asyncio.run(reset(settings))
        shutil.rmtree(workdir, ignore_errors=True)
    ms = sorted(latency * 1000 for latency in latencies)
    result = {"alerts": len(ms), "median_ms": round(statistics.median(ms), 1),
              "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 1), "max_ms": round(ms[-1], 1)}
    if not args.json:
        print(f"{result['alerts']} alerts: median {result['median_ms']} ms, p90 {result['p90_ms']} ms, "
              f"max {result['max_ms']} ms from publish to the follower's line", file=sys.stderr)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
