"""``pantau redis rebuild``: the Redis projection again, from the compacted worker-state topic, and
the alerts' hashes and index sets from the alerts topic.

Redis is never the only copy (DESIGN §2): the latest state of every worker is on the topic.
The rebuild deletes the keys the projection owns under this prefix — by SCAN and UNLINK, never
FLUSHDB, since other pipelines share the Redis, and only the projection's namespaces, since
other parts of the pipeline may keep their own keys under the prefix — then writes each state
with the live writer's code, so the result is exactly the live projection.

Workers may keep running: the write script never replaces a state with an older one, so the
rebuild's snapshot cannot step back a worker written since. A worker written between the
snapshot and the deletion is back at its snapshot state until its next event.

The alerts are written from *every* record on the alerts topic with the live writer's rule — per
id the record of highest precedence (``domain.alert_projection``) — so the order of the records
does not matter and the result is what the live agent keeps. Written silently: a rebuild changes
nothing in the world, so it adds no stream entry and publishes nothing; the stream, a log of what
was announced, is kept. An alert the live agent writes between the deletion and the rewrite is
announced once more (it finds no stored record to compare with).
"""
from __future__ import annotations

import asyncio
import time

import redis.asyncio as aioredis
from aiokafka.errors import KafkaConnectionError
from redis.exceptions import ConnectionError as RedisConnectionError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from domain.alert_projection import document, latest
from domain.projection import NAMESPACES
from streams.alert_channels import AlertChannels, read_alert
from streams.codec import AvroCodec
from streams.errors import UserError
from streams.projection import RedisProjection
from streams.redis_keys import unlink_under
from streams.settings import Settings
from streams.topic_reader import latest_by_key, read_to_end
from streams.topics import TopicNames

BATCH = 500  # states or alerts per pipelined round trip


def rebuild(settings: Settings, console: Console | None = None) -> int:
    """The CLI command: rebuild, with a progress bar, then say how many workers were written."""
    console = console or Console()
    started = time.perf_counter()
    try:
        written, alerts = asyncio.run(_rebuild(settings, console))
    except KafkaConnectionError:
        raise UserError(f"cannot reach Kafka at {settings.kafka_bootstrap} (pantau services up starts it)") from None
    except RedisConnectionError:
        raise UserError(f"Redis at {settings.redis_url} does not answer (pantau services up starts it)") from None
    console.print(
        f"rebuilt the Redis projection of prefix {settings.topic_prefix!r}: "
        f"{written} workers and {alerts} alerts in {time.perf_counter() - started:.1f} s"
    )
    return 0


async def _rebuild(settings: Settings, console: Console) -> tuple[int, int]:
    with console.status("reading the worker-state topic…"):
        latest = await latest_by_key(settings, TopicNames(settings.topic_prefix).worker_state)
    # A tombstone (no value) is a worker that no longer exists: nothing to project.
    values = [value for value in latest.values() if value is not None]
    deleted = await delete_projection(settings)
    console.print(f"deleted {deleted} keys of the old projection")
    codec = AvroCodec.named("worker_state")
    projection = RedisProjection(settings)
    columns = (TextColumn("writing workers"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("write", total=len(values))
            for start in range(0, len(values), BATCH):
                batch = values[start:start + BATCH]
                await projection.write_many(codec.decode(value) for value in batch)
                progress.advance(task, len(batch))
    finally:
        await projection.close()
    return len(values), await _rebuild_alerts(settings, console)


async def _rebuild_alerts(settings: Settings, console: Console) -> int:
    """Rewrites the alerts' hashes and index sets; returns how many alerts there are."""
    codec = AvroCodec.named("alert")
    with console.status("reading the alerts topic…"):
        read = [read_alert(codec, r.value) async for r in read_to_end(settings, TopicNames(settings.topic_prefix).alerts)]
    # What the live agent sends to the dead-letter topic it never shows: neither does the rebuild.
    alerts = list(latest(document(record) for record, problem in read if problem is None).values())
    channels = AlertChannels(settings)
    try:
        console.print(f"deleted {await channels.clear()} keys of the old alerts")
        with Progress(TextColumn("writing alerts"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console) as progress:
            task = progress.add_task("write", total=len(alerts))
            for start in range(0, len(alerts), BATCH):
                batch = alerts[start:start + BATCH]
                await channels.write(batch, announce=False)
                progress.advance(task, len(batch))
    finally:
        await channels.close()
    return len(alerts)


async def delete_projection(settings: Settings) -> int:
    """Unlink every key the projection owns under this prefix; returns how many."""
    client = aioredis.from_url(settings.redis_url)
    try:
        return sum([await unlink_under(client, settings.redis_key(namespace) + ":") for namespace in NAMESPACES])
    finally:
        await client.aclose()
