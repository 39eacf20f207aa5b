"""Producing from inside an agent, as part of processing the message at hand.

Under ``exactly_once``, faust-streaming 0.15 puts a send into the transaction named after the
*destination* partition, but commits the consumed offset in the transaction of the *source*
partition. A re-keyed send (ingest → by-worker, by-worker → worker-state) then stays uncommitted
until that other partition happens to commit, is invisible to ``read_committed`` readers until
then, and is aborted by a crash after its source offset was committed: lost. (With two workers
the destination's transactional producer may not even exist in this process.) Sending in the
source partition's transaction makes the output and the offset commit one atomic unit, which
is what exactly-once means. Under ``at_least_once`` it is a plain send; faust flushes the
producer before it commits offsets.
"""
from __future__ import annotations

from collections.abc import Awaitable

import faust
from faust.types import Message


async def emit(
    app: faust.App, source: Message, topic: str, key: bytes | None, value: bytes | None, headers: list | None = None
) -> Awaitable:
    """Sends; returns the send's delivery, for a caller that must know the record is on the broker."""
    transactional_id = None
    if app.in_transaction:
        group = app.assignor.group_for_topic(source.topic)
        transactional_id = f"{app.conf.id}-{group}-{source.partition}"
    # A consumed message's headers are a tuple, which aiokafka's record builder refuses (TypeError,
    # crashing the agent) when they are passed on, as a forward to a merge's survivor does.
    headers = list(headers) if headers else None
    return await app.producer.send(topic, key, value, None, None, headers, transactional_id=transactional_id)
