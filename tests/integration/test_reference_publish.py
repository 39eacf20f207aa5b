"""``pantau reference publish`` against the real broker: the shipped files land on their compacted
topics keyed as ``domain.reference`` says, and publishing again changes nothing a reader sees."""
from __future__ import annotations

import asyncio

import pytest

from domain.reference import KINDS, check_rows
from streams.codec import AvroCodec
from streams.reference import publish_reference
from streams.settings import PROJECT_ROOT
from streams.topic_reader import latest_by_key, partitions_of
from streams.topics import REFERENCE_KINDS, TopicNames

SHIPPED = PROJECT_ROOT / "deploy" / "reference"


def shipped_records(kind: str) -> dict[str, dict]:
    with open(SHIPPED / f"{kind}.csv", encoding="utf-8") as lines:
        return {KINDS[kind].key_of(record): record for _, record, _ in check_rows(KINDS[kind], lines)}


def topic_view(settings, kind: str) -> dict[str, dict]:
    codec = AvroCodec.named(KINDS[kind].schema)
    latest = asyncio.run(latest_by_key(settings, TopicNames(settings.topic_prefix).reference(kind)))
    return {key.decode(): codec.decode(value) for key, value in latest.items()}


@pytest.mark.parametrize("kind", REFERENCE_KINDS)
def test_shipped_file_lands_on_its_compacted_topic_and_republishing_changes_nothing(make_settings, kind):
    settings = make_settings()
    path = str(SHIPPED / f"{kind}.csv")
    expected = shipped_records(kind)

    first = asyncio.run(publish_reference(settings, kind, path))
    assert (first.sent, first.rejected_total) == (len(expected), 0)
    view = topic_view(settings, kind)
    assert view == expected

    again = asyncio.run(publish_reference(settings, kind, path))
    assert again.sent == len(expected)
    assert topic_view(settings, kind) == view

    topic = TopicNames(settings.topic_prefix).reference(kind)
    assert asyncio.run(partitions_of(settings, topic)) == [0]
