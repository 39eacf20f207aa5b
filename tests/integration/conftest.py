"""Integration tests run against the real Kafka broker and Redis (`pantau services up`).

Each test gets its own ``PANTAU_TOPIC_PREFIX``, data dir and web port, so tests never see each
other's topics, consumer groups, tables or Redis keys.
"""
from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
import redis

from streams import services
from streams.settings import Settings
from streams.worker_process import WorkerProcess
from tests.ports import free_port


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
    """Settings for one isolated pipeline of this test; call again for a second pipeline."""

    def make(label: str = "", **overrides) -> Settings:
        name = request.node.name.replace("[", "-").replace("]", "").replace("_", "-")[:40]
        prefix = f"t-{name}{label}-{uuid.uuid4().hex[:6]}"
        fields = {"topic_prefix": prefix, "data_dir": tmp_path / prefix, "web_port": free_port(), **overrides}
        return replace(base_settings, **fields)

    return make


@pytest.fixture
def workers(tmp_path):
    """Starts worker processes for a test and makes sure none outlives it."""
    started: list[WorkerProcess] = []

    def start(settings: Settings, name: str = "worker") -> WorkerProcess:
        process = WorkerProcess(settings, tmp_path / f"{name}-{len(started)}.log").start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def redis_client(base_settings):
    client = redis.Redis.from_url(base_settings.redis_url, decode_responses=True)
    yield client
    client.close()
