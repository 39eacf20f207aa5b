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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from domain.lifecycle import worker_id_for, worker_key
from domain.partner_json import parse_line
from domain.validation import InvalidEvent, first_problem
from streams.codec import AvroCodec
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
    report = asyncio.run(publish(settings, path, dry_run))
    err = Console(stderr=True)
    verb = "would send" if dry_run else "sent"
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(report.rejected.items()))
    err.print(f"{verb} {report.sent}, rejected {report.rejected_total}" + (f" ({reasons})" if reasons else ""))
    return 1 if report.rejected_total else 0


async def publish(settings: Settings, path: str, dry_run: bool = False) -> PublishReport:
    report = PublishReport()
    codec = AvroCodec.named("partner_event")
    topics = TopicNames(settings.topic_prefix)
    producer = None if dry_run else await _start_producer(settings)
    try:
        with _lines(path) as lines:
            for line_no, event, problem in check_lines(lines, datetime.now(timezone.utc)):
                if problem is not None:
                    report.rejected[problem.reason] += 1
                    print(f"line {line_no}: {problem.reason}: {problem.message}", file=sys.stderr)
                    continue
                if producer is not None:
                    key = worker_id_for(worker_key(event)).encode()
                    await producer.send(topics.ingest(event["source"]["kind"]), codec.encode(event), key=key)
                report.sent += 1
        if producer is not None:
            await producer.flush()
    finally:
        if producer is not None:
            await producer.stop()
    return report


async def _start_producer(settings: Settings):
    from aiokafka import AIOKafkaProducer

    from streams.admin import ensure_topics

    # A fresh partition may refuse the first sends while it settles; aiokafka retries them,
    # and a partner publishing a file need not read about each retry.
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    await ensure_topics(settings)
    # Idempotent producer: the broker drops our own retried sends, so a line is produced once.
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True, acks="all", linger_ms=5
    )
    await producer.start()
    return producer


@contextmanager
def _lines(path: str):
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
