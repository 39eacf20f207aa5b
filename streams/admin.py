"""Creates the pipeline's topics up front, with explicit partition counts and configs.

Left to broker auto-creation, a compacted topic would be created un-compacted and the partition
count would be whatever the broker defaults to; both matter (changelogs must co-partition with
their source, the worker-state topic must keep only the latest state per worker). Tables'
changelogs too: faust creates a missing one itself, but a consumer that started before it
existed can go on for minutes without it in its metadata, and a table whose changelog it cannot
see crashes its agent (PartitionsMismatch) until then.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from streams.settings import Settings
from streams.topics import TopicNames, TopicSpec

_TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno


async def ensure_topics(settings: Settings, changelogs: Iterable[TopicSpec] = ()) -> list[str]:
    """Create the missing topics, and the tables' changelog topics given; returns the names it created."""
    specs = [*TopicNames(settings.topic_prefix).specs(settings.partitions), *changelogs]
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for spec in specs if spec.name not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [NewTopic(s.name, s.partitions, 1, topic_configs=s.configs) for s in missing]
        )
        for name, code, *rest in response.topic_errors:
            if code not in (0, _TOPIC_ALREADY_EXISTS):
                raise RuntimeError(f"could not create topic {name}: error {code} {rest}")
        created = [spec.name for spec in missing]
        await _wait_for_leaders(admin, created)
        return created
    finally:
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, topics: list[str], timeout: float = 30.0) -> None:
    """A topic is usable once each partition has a leader; producing earlier only earns retries."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = await admin.describe_topics(topics)
        if all(t["error_code"] == 0 and t["partitions"] and all(p["leader"] >= 0 for p in t["partitions"]) for t in described):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topics have no leader after {timeout:.0f} s: {', '.join(topics)}")
