"""The faust corrections are installed for the pinned faust-streaming only, and per guarantee."""
from __future__ import annotations

import asyncio
from dataclasses import replace

import faust
import pytest
from faust.transport.drivers import aiokafka as driver
from faust.types import TP

from streams import faust_fixes
from streams.app import create_app
from streams.settings import Settings


def app_for(guarantee: str) -> faust.App:
    return create_app(replace(Settings(), topic_prefix="t-unit-faust-fixes", processing_guarantee=guarantee))


def test_another_faust_version_refuses_to_start(monkeypatch):
    monkeypatch.setattr(faust, "__version__", "0.15.4")
    with pytest.raises(RuntimeError, match="patches faust-streaming 0.15.3, but 0.15.4"):
        faust_fixes.install(app_for("at_least_once"))


@pytest.mark.parametrize(
    ("guarantee", "consumer", "producer"),
    [
        ("at_least_once", "_Consumer", "_Producer"),
        ("exactly_once", "_TransactionalConsumer", "_Producer"),
    ],
)
def test_each_guarantee_gets_its_consumer_and_producer(guarantee, consumer, producer):
    app = app_for(guarantee)
    faust_fixes.install(app)
    assert (app.transport.Consumer.__name__, app.transport.Producer.__name__) == (consumer, producer)


def test_installing_after_the_consumer_exists_is_refused():
    app = app_for("exactly_once")
    app.consumer  # noqa: B018 - creating it is the point
    with pytest.raises(RuntimeError, match="before the app creates its consumer"):
        faust_fixes.install(app)


def test_a_fetch_already_waiting_does_not_return_partitions_resumed_after_it_began(monkeypatch):
    """Fault 1, the second way in: faust passes its own active set, resume_partitions adds the stream
    partitions to it in place, and aiokafka re-reads it while it waits for records. A fetch begun
    during recovery then returned stream records during the seek, before the queues were cleared."""
    app = app_for("at_least_once")
    faust_fixes.install(app)
    consumer = app.consumer
    asked = []
    resumed = asyncio.Event()

    async def waiting_fetch(self, active_partitions, timeout):
        await resumed.wait()
        asked.append(set(active_partitions))
        return {}

    monkeypatch.setattr(driver.Consumer, "_getmany", waiting_fetch)
    changelog, stream = TP("pantau-workers-changelog", 0), TP("events-by-worker", 0)

    async def scenario():
        active = {changelog}
        fetch = asyncio.create_task(consumer._getmany(active, 1.0))
        await asyncio.sleep(0)
        active.add(stream)  # what faust's resume_partitions does to the set it passed
        resumed.set()
        await fetch

    asyncio.run(scenario())
    assert asked == [{changelog}]
