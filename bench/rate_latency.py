"""Latency at a fixed rate: from the partner's produce to the worker's state in Redis, and to its
alert on the alert channel; then the first event after an idle spell.

On a fresh ``PANTAU_TOPIC_PREFIX``, one worker; once it owns its partitions and a warm-up has
been through, events are produced at ``rate`` per second for ``seconds`` (each paced to its own
instant, sent without waiting for the one before). Every event is a new worker's first, so its
state's first write in Redis is that event's arrival (``bench.arrivals``): nine in ten a
REGISTERED, one in ten a RETURNED with no departure on record, which raises
RETURN_WITHOUT_DEPARTURE, announced on the WARNING channel. A latency is from just before the
send to the moment the notification is read. Above the rate the worker sustains, a backlog
builds and every later event waits behind it: latency then grows with the run, and the figures
say so rather than a steady state. Then nothing for ``idle_seconds``, and one more event.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from pathlib import Path

from aiokafka import AIOKafkaProducer
from rich.progress import Progress

from bench.arrivals import Arrivals
from bench.population import first_event, new_workers
from bench.stats import latency_summary
from domain.lifecycle import worker_id_for, worker_key
from domain.partner_json import from_json
from streams.admin import ensure_topics
from streams.codec import AvroCodec
from streams.settings import Settings
from streams.topics import TopicNames
from streams.worker_process import WorkerProcess
from tests.expected import OWNED_PARTITIONS
from tests.waiting import eventually

ALERT_EVERY = 10  # one event in ten raises an alert
WARM_UP = 20
STALL_SECONDS = 120.0  # no state arriving for this long: the worker is stuck, not slow


class Sender:
    """Produces latency events as the partner would, remembering when each was sent, by worker id."""

    def __init__(self, settings: Settings, workers: list[dict]):
        self._settings, self._workers = settings, iter(enumerate(workers))
        self._codec, self._topics = AvroCodec.named("partner_event"), TopicNames(settings.topic_prefix)
        self.sent: dict[str, float] = {}
        self.alerting: set[str] = set()  # the workers whose event raises an alert

    async def __aenter__(self) -> "Sender":
        self._producer = AIOKafkaProducer(bootstrap_servers=self._settings.kafka_bootstrap, acks="all",
                                          enable_idempotence=True, linger_ms=0)
        await self._producer.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self._producer.stop()

    async def send_one(self, alert: bool | None = None) -> str:
        """Sends the next worker's event (every ``ALERT_EVERY``-th raising an alert, unless ``alert``
        says); returns the worker id."""
        n, worker = next(self._workers)
        alert = n % ALERT_EVERY == 0 if alert is None else alert
        event = from_json(first_event(n, worker, datetime.now(timezone.utc), alert))
        worker_id = worker_id_for(worker_key(event))
        value = self._codec.encode(event)
        if alert:
            self.alerting.add(worker_id)
        self.sent[worker_id] = time.monotonic()
        await self._producer.send(self._topics.ingest(event["source"]["kind"]), value, key=worker_id.encode())
        return worker_id

    async def flush(self) -> None:
        await self._producer.flush()

    async def at_rate(self, rate: int, seconds: float, progress: Progress) -> float:
        """Sends ``rate × seconds`` events, the n-th at start + n / rate; returns the rate achieved."""
        total = round(rate * seconds)
        task = progress.add_task(f"sending {rate}/s", total=total)
        start = time.monotonic()
        for n in range(total):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await self.send_one()
            if n % 100 == 0:
                progress.update(task, completed=n)
        await self._producer.flush()
        progress.update(task, completed=total)
        return total / (time.monotonic() - start)


def wait_arrived(arrivals: Arrivals, sender: Sender, worker: WorkerProcess, progress: Progress, label: str) -> float:
    """Waits until every sent event's state has arrived (and the alerts due), or none for
    ``STALL_SECONDS``; returns when the last one arrived."""
    task = progress.add_task(label, total=len(sender.sent))
    last_count, last_change = -1, time.monotonic()
    while True:
        arrived = sum(1 for w in sender.sent if w in arrivals.states)
        alerted = sum(1 for w in sender.alerting if w in arrivals.alerts)
        progress.update(task, completed=arrived)
        if arrived == len(sender.sent) and alerted == len(sender.alerting):
            break
        if arrived + alerted != last_count:
            last_count, last_change = arrived + alerted, time.monotonic()
        elif time.monotonic() - last_change > STALL_SECONDS:
            break
        if not worker.alive():
            raise RuntimeError(f"worker exited; see {worker.log_path}")
        time.sleep(0.2)
    return max((arrivals.states[w] for w in sender.sent if w in arrivals.states), default=time.monotonic())


def latencies(arrived: dict[str, float], sent: dict[str, float], among) -> list[float]:
    return [arrived[w] - sent[w] for w in among if w in arrived]


def scenario(settings: Settings, workdir: Path, progress: Progress, rate: int, seconds: int, idle_seconds: int) -> dict:
    asyncio.run(ensure_topics(settings))
    total = WARM_UP + round(rate * seconds) + 1
    workers = new_workers(total)
    worker = WorkerProcess(settings, workdir / "worker.log").start()
    arrivals = Arrivals(settings)
    try:
        eventually(lambda: worker.sample("pantau_assigned_partitions"), lambda n: n == OWNED_PARTITIONS, 120)
        result = asyncio.run(_measure(settings, workers, arrivals, worker, progress, rate, seconds, idle_seconds))
        result["worker_cpu_seconds"] = round(worker.sample("process_cpu_seconds_total"), 2)
    finally:
        arrivals.close()
        worker.stop()
    return result


async def _measure(settings, workers, arrivals, worker, progress, rate, seconds, idle_seconds) -> dict:
    async with Sender(settings, workers) as sender:
        for _ in range(WARM_UP):  # the first events pay for caches and connections: not counted
            await sender.send_one()
        await sender.flush()
        await asyncio.to_thread(wait_arrived, arrivals, sender, worker, progress, "warm-up")
        warm = set(sender.sent)

        cpu_before = worker.sample("process_cpu_seconds_total")
        achieved = await sender.at_rate(rate, seconds, progress)
        last_sent = max(sender.sent.values())
        last_arrived = await asyncio.to_thread(wait_arrived, arrivals, sender, worker, progress, "states in Redis")
        cpu = worker.sample("process_cpu_seconds_total") - cpu_before
        timed = [w for w in sender.sent if w not in warm]
        state = latencies(arrivals.states, sender.sent, timed)
        alert = latencies(arrivals.alerts, sender.sent, [w for w in timed if w in sender.alerting])

        idle_task = progress.add_task(f"idle {idle_seconds} s", total=idle_seconds)
        for second in range(idle_seconds):
            await asyncio.sleep(1)
            progress.update(idle_task, completed=second + 1)
        newest = await sender.send_one(alert=True)  # one event, both latencies
        await sender.flush()
        await asyncio.to_thread(wait_arrived, arrivals, sender, worker, progress, "after idle")

    def one(arrived):
        return round((arrived[newest] - sender.sent[newest]) * 1000, 1) if newest in arrived else None

    return {
        "rate": rate, "seconds": seconds, "sent": len(timed), "achieved_rate": round(achieved),
        "states_missing": len(timed) - len(state),
        "state": latency_summary(state), "alert": latency_summary(alert),
        # From the last send to the last state: the backlog left when the sending stopped.
        "drain_seconds": round(max(0.0, last_arrived - last_sent), 1),
        "processed_per_s": round(len(state) / max(last_arrived - min(sender.sent[w] for w in timed), 1e-9)),
        "rate_cpu_seconds": round(cpu, 2),
        "idle_seconds": idle_seconds, "after_idle_state_ms": one(arrivals.states), "after_idle_alert_ms": one(arrivals.alerts),
    }
