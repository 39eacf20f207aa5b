"""`pantau services up|down|status` against the real local Kafka and Redis.

Other integration tests share these services, so the one test that stops them starts them
again before it returns; it runs last in this module.
"""
from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
import redis
from aiokafka.admin import AIOKafkaAdminClient

from streams import services
from streams.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.integration

SETTINGS = Settings.from_env()


def _lines(command, settings: Settings = SETTINGS) -> list[str]:
    lines: list[str] = []
    command(settings, echo=lines.append)
    return lines


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streams.services", *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )


def _pid_running(pid: int, marker: str) -> bool:
    try:
        return marker.encode() in open(f"/proc/{pid}/cmdline", "rb").read()
    except OSError:
        return False


@pytest.fixture(scope="module", autouse=True)
def services_up() -> None:
    services.up(SETTINGS, echo=lambda _line: None)


def test_second_up_finds_both_running():
    lines = _lines(services.up)

    assert not any(line.startswith("started") for line in lines), lines
    for name, address in (("Kafka", SETTINGS.kafka_bootstrap), ("Redis", SETTINGS.redis_url)):
        assert any(
            line.startswith((f"{name} already running at {address}", f"using {name} at {address}"))
            for line in lines
        ), lines


def test_status_shows_both_running():
    kafka, redis_line = _lines(services.status)

    assert kafka.startswith("Kafka") and SETTINGS.kafka_bootstrap in kafka and "running (" in kafka
    assert redis_line.startswith("Redis") and SETTINGS.redis_url in redis_line and "running (" in redis_line


def test_broker_answers_metadata_request_of_a_real_client():
    async def describe() -> dict:
        admin = AIOKafkaAdminClient(bootstrap_servers=SETTINGS.kafka_bootstrap)
        await admin.start()
        try:
            return await admin.describe_cluster()
        finally:
            await admin.close()

    cluster = asyncio.run(describe())

    assert cluster["brokers"], cluster
    assert services.kafka_answers(SETTINGS.kafka_bootstrap)


def test_redis_answers_ping():
    assert services.redis_answers(SETTINGS.redis_url)
    assert redis.Redis.from_url(SETTINGS.redis_url).ping()


def test_kafka_and_redis_probes_reject_each_other():
    redis_port = services.REDIS.port_of(SETTINGS.redis_url)
    kafka_port = services.KAFKA.port_of(SETTINGS.kafka_bootstrap)

    assert not services.kafka_answers(f"localhost:{redis_port}", timeout=2.0)
    assert not services.redis_answers(f"redis://localhost:{kafka_port}/0")


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A port whose connections complete (the kernel accepts them) but never get a reply."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_probes_give_up_on_a_silent_server(silent_listener):
    assert not services.kafka_answers(f"localhost:{silent_listener}", timeout=0.5)
    assert not services.redis_answers(f"redis://localhost:{silent_listener}/0", timeout=0.5)


def test_down_stops_what_up_started_and_up_restores_it():
    started = {service: service.running() for service in (services.KAFKA, services.REDIS)}
    if None in started.values():
        pytest.skip("Kafka or Redis runs outside pantau (no pid file), so `down` would not stop it")

    try:
        lines = _lines(services.down)

        for service, (pid, address) in started.items():
            assert f"stopped {service.name} at {address} (pid {pid})" in lines
            assert not _pid_running(pid, service.marker), f"{service.name} pid {pid} survived down"
            assert not service.pid_file.exists()
        assert not services.kafka_answers(SETTINGS.kafka_bootstrap, timeout=1.0)
        assert "not running" in _lines(services.status)[0]
    finally:
        result = _cli("up")

    assert result.returncode == 0, result.stderr
    assert "Kafka ready at" in result.stdout
    assert services.kafka_answers(SETTINGS.kafka_bootstrap) and services.redis_answers(SETTINGS.redis_url)
