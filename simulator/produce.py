"""``pantau simulate --produce``: a written population onto a pipeline's topics — the shell around
the generator, and the only part of the simulator that talks to Kafka.

Reference data first (``streams.reference``), so the rules see the licences and policies the
truth assumed; then events.jsonl exactly as ``pantau publish`` sends a file (checked, Avro,
keyed by worker, idempotent producer); then the malformed messages, raw, on the ingest topic
of the kind each names.
"""
from __future__ import annotations

import base64
import sys
from pathlib import Path

import orjson

from domain.reference import DESTINATION_POLICY, P3MI_LICENCES
from simulator.reference_data import FILES
from streams.publish import input_lines, publish, send_checked
from streams.reference import publish_reference
from streams.settings import Settings
from streams.topics import TopicNames


class _Raw:
    """What ``send_checked`` calls a codec: here the value is already the bytes to send."""

    @staticmethod
    def encode(message: tuple[str, bytes]) -> bytes:
        return message[1]


def _malformed_lines(lines):
    for line_no, line in enumerate(lines, start=1):
        record = orjson.loads(line)
        yield line_no, (record["topic_kind"], base64.b64decode(record["value_b64"])), None


async def produce_population(settings: Settings, out: Path) -> None:
    for kind in (P3MI_LICENCES, DESTINATION_POLICY):
        report = await publish_reference(settings, kind, str(out / "reference" / FILES[kind]))
        print(f"reference {kind}: sent {report.sent}, rejected {report.rejected_total}", file=sys.stderr)
    report = await publish(settings, str(out / "events.jsonl"))
    print(f"events: sent {report.sent}, rejected {report.rejected_total}", file=sys.stderr)
    topics = TopicNames(settings.topic_prefix)

    def route(message: tuple[str, bytes]) -> tuple[str, None]:
        return topics.ingest(message[0]), None

    with input_lines(str(out / "malformed.jsonl")) as lines:
        report = await send_checked(settings, _malformed_lines(lines), _Raw(), route, dry_run=False)
    print(f"malformed: sent {report.sent}", file=sys.stderr)
