"""``pantau publish``: partner events as JSON lines → validated → Avro on the ingest topics.

Every line is validated with the same code the stream runs, so a partner learns of a bad
event at their desk (``line N: REASON: message``) rather than from the dead-letter topic.
"""
from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections import Counter
from contextlib import contextmanager
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from domain.lifecycle import worker_id_for, worker_key
from domain.partner_json import parse_line
from domain.validation import InvalidEvent, first_problem
from streams.codec import AvroCodec
from streams.errors import UserError
from streams.settings import Settings
from streams.topics import TopicNames

_PROGRESS_FROM_BYTES = 1_000_000


@dataclass
class PublishReport:
    sent: int = 0
    rejected: Counter = field(default_factory=Counter)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


def check_lines(lines: Iterator[str], now: datetime):
    """Yields ``(line_no, event, None)`` for a valid line, ``(line_no, None, problem)`` for a bad one."""
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = parse_line(line)
        except InvalidEvent as exc:
            yield line_no, None, exc
            continue
        yield line_no, event, first_problem(event, now)


def publish_file(settings: Settings, path: str, dry_run: bool = False) -> int:
    """The ``pantau publish`` command: exit status 1 when any line was rejected."""
    return summarise(asyncio.run(publish(settings, path, dry_run)), dry_run)


def summarise(report: PublishReport, dry_run: bool) -> int:
    """Prints the one-line summary on stderr; returns the exit status, 1 when any line was rejected."""
    verb = "would send" if dry_run else "sent"
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(report.rejected.items()))
    # Plain print: a rich console wraps at 80 columns when stderr is not a terminal.
    print(f"{verb} {report.sent}, rejected {report.rejected_total}" + (f" ({reasons})" if reasons else ""), file=sys.stderr)
    return 1 if report.rejected_total else 0


async def publish(settings: Settings, path: str, dry_run: bool = False) -> PublishReport:
    codec = AvroCodec.named("partner_event")
    topics = TopicNames(settings.topic_prefix)

    def route(event: dict) -> tuple[str, bytes]:
        return topics.ingest(event["source"]["kind"]), worker_id_for(worker_key(event)).encode()

    with input_lines(path) as lines:
        return await send_checked(settings, check_lines(lines, datetime.now(timezone.utc)), codec, route, dry_run)


async def send_checked(
    settings: Settings, checked: Iterable, codec: AvroCodec, route: Callable[[dict], tuple[str, bytes]], dry_run: bool
) -> PublishReport:
    """Produces each valid record of ``checked`` (``(line_no, record, problem)`` as ``check_lines``
    yields) to the ``(topic, key)`` that ``route(record)`` names; a bad one is reported on stderr
    as ``line N: REASON: message`` and counted. With ``dry_run`` nothing connects to Kafka."""
    report = PublishReport()
    producer = None if dry_run else await _start_producer(settings)
    try:
        for line_no, record, problem in checked:
            if problem is not None:
                report.rejected[problem.reason] += 1
                print(f"line {line_no}: {problem.reason}: {problem.message}", file=sys.stderr)
                continue
            if producer is not None:
                topic, key = route(record)
                await producer.send(topic, codec.encode(record), key=key)
            report.sent += 1
        if producer is not None:
            await producer.flush()
    finally:
        if producer is not None:
            await producer.stop()
    return report


async def _start_producer(settings: Settings):
    from aiokafka import AIOKafkaProducer
    from aiokafka.errors import KafkaConnectionError

    from streams.admin import ensure_topics

    # A fresh partition may refuse the first sends while it settles; aiokafka retries them,
    # and a partner publishing a file need not read about each retry.
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    # Idempotent producer: the broker drops our own retried sends, so a line is produced once.
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True, acks="all", linger_ms=5
    )
    try:
        await ensure_topics(settings)
        await producer.start()
    except KafkaConnectionError:
        await producer.stop()
        raise UserError(
            f"cannot reach Kafka at {settings.kafka_bootstrap}; start it with `pantau services up` "
            "or set PANTAU_KAFKA_BOOTSTRAP"
        ) from None
    return producer


@contextmanager
def input_lines(path: str):
    """The file's lines (stdin for ``-``), with a progress bar by bytes read on large files."""
    if path != "-" and not os.path.isfile(path):
        raise FileNotFoundError(f"no such file: {path}")
    size = 0 if path == "-" else os.path.getsize(path)
    progress = Progress(
        TextColumn("publishing"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), disable=size < _PROGRESS_FROM_BYTES,
    )
    source = sys.stdin if path == "-" else open(path, encoding="utf-8")

    def counted():
        task = progress.add_task("publish", total=size or None)
        for line in source:
            progress.advance(task, len(line))
            yield line

    try:
        with progress:
            yield counted()
    finally:
        if source is not sys.stdin:
            source.close()
