"""docker-compose.yml, deploy/prometheus.yml and the Dockerfile agree with each other and DESIGN §9.

`docker compose config` is the authority on the compose file, but needs the compose plugin;
the structural checks below run everywhere.
"""
from __future__ import annotations

import subprocess

import pytest
import yaml

from streams.settings import PROJECT_ROOT, Settings

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
PROMETHEUS_FILE = PROJECT_ROOT / "deploy" / "prometheus.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _docker_compose_works() -> bool:
    try:
        return subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def test_docker_compose_accepts_the_file():
    if not _docker_compose_works():
        pytest.skip("`docker compose version` does not work here (no Docker compose plugin)")
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_four_services(compose):
    assert set(compose["services"]) == {"kafka", "redis", "worker", "prometheus"}
    assert compose["services"]["kafka"]["image"] == "apache/kafka:4.1.1"
    assert compose["services"]["redis"]["image"].startswith("redis:7")
    assert compose["services"]["prometheus"]["image"].startswith("prom/prometheus")


def test_kafka_is_a_single_kraft_node_that_supports_transactions(compose):
    env = compose["services"]["kafka"]["environment"]

    assert env["KAFKA_NODE_ID"] == 1
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert "PLAINTEXT://kafka:9092" in env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    for name in ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                 "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR"):
        assert env[name] == 1, name


def test_worker_reaches_kafka_and_redis_by_service_name(compose):
    worker = compose["services"]["worker"]
    env = worker["environment"]
    port = Settings().web_port

    assert worker["build"] == "."
    assert worker["command"] == ["pantau", "worker"]
    assert env["PANTAU_KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert env["PANTAU_REDIS_URL"] == "redis://redis:6379/0"
    assert int(env.get("PANTAU_WEB_PORT", port)) == port
    assert str(port) in [str(exposed) for exposed in worker["expose"]]
    assert set(worker["depends_on"]) >= {"kafka", "redis"}


def test_prometheus_scrapes_the_worker(compose):
    mounts = compose["services"]["prometheus"]["volumes"]
    config = yaml.safe_load(PROMETHEUS_FILE.read_text())
    targets = [
        target
        for job in config["scrape_configs"]
        if job.get("metrics_path", "/metrics") == "/metrics"
        for static in job.get("static_configs", [])
        for target in static["targets"]
    ]

    assert "./deploy/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in mounts
    assert f"worker:{Settings().web_port}" in targets


def test_dockerfile_builds_the_worker():
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]

    assert "FROM python:3.11-slim" in lines
    assert "RUN pip install -e ." in lines
    assert 'CMD ["pantau", "worker"]' in lines
