"""Resetting a pipeline (what the demo does first) forgets its topics, Redis keys and local
state, and nothing of a pipeline whose prefix merely starts the same way."""
import asyncio

from aiokafka.admin import AIOKafkaAdminClient

from streams.admin import ensure_topics
from streams.reset import reset
from streams.topics import TopicNames


async def _topics(settings) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


def test_reset_forgets_exactly_one_pipeline(make_settings, redis_client):
    doomed = make_settings("a")
    # Same start, then more: "t-…a-123" vs "t-…a-123x"; the reset must not take the longer one.
    neighbour = make_settings("a", topic_prefix=doomed.topic_prefix + "x", data_dir=doomed.data_dir.parent / "other")
    for settings in (doomed, neighbour):
        asyncio.run(ensure_topics(settings))
        redis_client.set(settings.redis_key("worker", "W-1"), "state")
        settings.state_dir.mkdir(parents=True)
        (settings.state_dir / "store").write_text("rocksdb stand-in")

    deleted = asyncio.run(reset(doomed))

    left = asyncio.run(_topics(doomed))
    assert deleted and all(name.startswith(doomed.topic_prefix + ".") for name in deleted)
    assert not {name for name in left if name.startswith(doomed.topic_prefix + ".")}
    assert redis_client.get(doomed.redis_key("worker", "W-1")) is None and not doomed.state_dir.exists()
    assert {name for name in left if name.startswith(neighbour.topic_prefix + ".")} == {
        spec.name for spec in TopicNames(neighbour.topic_prefix).specs(1)
    }
    assert redis_client.get(neighbour.redis_key("worker", "W-1")) == "state" and neighbour.state_dir.exists()
