"""Creates the pipeline's topics up front, with explicit partition counts and configs.

Left to broker auto-creation, a compacted topic would be created un-compacted and the partition
count would be whatever the broker defaults to; both matter (changelogs must co-partition with
their source, the worker-state topic must keep only the latest state per worker).
"""
from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from streams.settings import Settings
from streams.topics import TopicNames

_TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno


async def ensure_topics(settings: Settings) -> list[str]:
    """Create the missing topics; returns the names it created."""
    specs = TopicNames(settings.topic_prefix).specs(settings.partitions)
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
        return [spec.name for spec in missing]
    finally:
        await admin.close()
