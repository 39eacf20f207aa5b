"""Integration tests run against the real Kafka broker and Redis (`pantau services up`).

Each test gets its own ``PANTAU_TOPIC_PREFIX``, data dir and web port, so tests never see each
other's topics, consumer groups, tables or Redis keys.
"""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

import pytest
import redis

from streams import services
from streams.reset import reset
from streams.settings import Settings
from streams.worker_process import WorkerProcess
from tests.expected import OWNED_PARTITIONS
from streams.ports import free_port
from tests.waiting import eventually


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    settings = Settings.from_env()
    # Idempotent: under `make test` the services already run; this also serves a bare `pytest`.
    services.up(settings, echo=lambda *_: None)
    return settings


@pytest.fixture
def make_settings(base_settings, tmp_path, request):
    """Settings for one isolated pipeline of this test; call again for a second pipeline. Its topics
    and Redis keys are deleted after the test: a broker that keeps every test's partitions runs out
    of heap after a few runs of the suite."""
    made: list[Settings] = []

    def make(label: str = "", **overrides) -> Settings:
        name = request.node.name.replace("[", "-").replace("]", "").replace("_", "-")[:40]
        prefix = f"t-{name}{label}-{uuid.uuid4().hex[:6]}"
        fields = {"topic_prefix": prefix, "data_dir": tmp_path / prefix, "web_port": free_port(), **overrides}
        made.append(replace(base_settings, **fields))
        return made[-1]

    async def forget() -> None:
        await asyncio.gather(*(reset(settings) for settings in made))

    yield make
    asyncio.run(forget())


@pytest.fixture
def workers(make_settings, tmp_path):
    """Starts worker processes for a test and makes sure none outlives it. Depends on
    ``make_settings`` so that pytest stops the workers before that fixture deletes their topics."""
    started: list[WorkerProcess] = []

    def start(settings: Settings, name: str = "worker") -> WorkerProcess:
        process = WorkerProcess(settings, tmp_path / f"{name}-{len(started)}.log").start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def worker_pair(workers):
    """Two worker processes on one pipeline (own data dirs and web ports), once the group has
    settled with both owning partitions."""

    def start(settings: Settings, names: tuple[str, str] = ("first", "second")) -> tuple[WorkerProcess, WorkerProcess]:
        other = replace(settings, data_dir=settings.data_dir / names[1], web_port=free_port())
        pair = (workers(settings, names[0]), workers(other, names[1]))
        eventually(
            lambda: [p.sample("pantau_assigned_partitions") for p in pair],
            lambda owned: all(owned) and sum(owned) == OWNED_PARTITIONS,
            120,
        )
        return pair

    return start


@pytest.fixture
def redis_client(base_settings):
    client = redis.Redis.from_url(base_settings.redis_url, decode_responses=True)
    yield client
    client.close()
