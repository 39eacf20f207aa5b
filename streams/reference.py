"""``pantau reference publish``: a reference CSV (DESIGN §9) → checked → Avro on its compacted topic.

The whole file is checked before anything is sent: reference files are small, and a file that
turns out unreadable halfway (a bad header, bytes that are not UTF-8) then publishes nothing
rather than half a licence list. Good rows are sent keyed as ``domain.reference`` says, so the
topic's latest record per key is the current reference; bad rows are reported by line number,
as ``pantau publish`` does.
"""
from __future__ import annotations

import asyncio

from domain.reference import KINDS, InvalidHeader, check_rows
from streams.codec import AvroCodec
from streams.errors import UserError
from streams.publish import PublishReport, input_lines, send_checked, summarise
from streams.settings import Settings
from streams.topics import TopicNames


def publish_reference_file(settings: Settings, kind: str, path: str, dry_run: bool = False) -> int:
    """The ``pantau reference publish`` command: exit status 1 when any row was rejected."""
    return summarise(asyncio.run(publish_reference(settings, kind, path, dry_run)), dry_run)


async def publish_reference(settings: Settings, kind: str, path: str, dry_run: bool = False) -> PublishReport:
    reference = KINDS[kind]
    with input_lines(path) as lines:
        try:
            checked = list(check_rows(reference, lines))
        except InvalidHeader as exc:
            raise UserError(f"{path} line 1: {exc.problem}") from None
    codec = AvroCodec.named(reference.schema)
    topic = TopicNames(settings.topic_prefix).reference(kind)

    def route(record: dict) -> tuple[str, bytes]:
        return topic, reference.key_of(record).encode()

    return await send_checked(settings, checked, codec, route, dry_run)
