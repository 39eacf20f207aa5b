"""Deleting a pipeline's Redis keys by name pattern: SCAN and UNLINK, never FLUSHDB, since other
pipelines share the Redis."""
from __future__ import annotations

import redis.asyncio as aioredis

BATCH = 500  # keys per UNLINK


async def unlink_under(client: aioredis.Redis, prefix: str) -> int:
    """Unlinks every key that starts with ``prefix``; returns how many."""
    deleted, batch = 0, []
    async for key in client.scan_iter(match=f"{_glob_escape(prefix)}*", count=BATCH):
        batch.append(key)
        if len(batch) == BATCH:
            deleted += await client.unlink(*batch)
            batch = []
    if batch:
        deleted += await client.unlink(*batch)
    return deleted


def _glob_escape(text: str) -> str:
    """A prefix is a name, not a pattern: ``t-a*`` must not match ``t-ab``'s keys."""
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)
