"""Forget one pipeline — its topics, its Redis keys, its local state stores — so that a run (the
demo) starts from nothing. Only names under the pipeline's prefix are touched: other pipelines
on the same broker and Redis keep theirs."""
from __future__ import annotations

import asyncio
import shutil
import time

import redis.asyncio as aioredis
from aiokafka.admin import AIOKafkaAdminClient

from streams.redis_keys import unlink_under
from streams.settings import Settings


async def reset(settings: Settings, timeout: float = 60.0) -> list[str]:
    """Deletes the pipeline's topics (its own and faust's changelogs) and waits until they are
    gone, then its Redis keys and data dir. Returns the deleted topics' names."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        owned = [topic for topic in await admin.list_topics() if _owned(settings, topic)]
        if owned:
            await admin.delete_topics(owned)
            deadline = time.monotonic() + timeout
            while set(owned) & set(await admin.list_topics()):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"topics still there {timeout:.0f} s after deleting them: {', '.join(owned)}")
                await asyncio.sleep(0.2)
    finally:
        await admin.close()
    client = aioredis.from_url(settings.redis_url)
    try:
        await unlink_under(client, settings.redis_key(""))
    finally:
        await client.aclose()
    shutil.rmtree(settings.state_dir, ignore_errors=True)
    return owned


def _owned(settings: Settings, topic: str) -> bool:
    # Our topics are "{prefix}.…"; faust's changelog and repartition topics are "{app id}-…".
    return topic.startswith(f"{settings.topic_prefix}.") or topic.startswith(f"{settings.app_id}-")
