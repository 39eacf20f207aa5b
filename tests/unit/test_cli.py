"""A bad command line gets one line and a non-zero exit, never a traceback."""
from __future__ import annotations

import subprocess
import sys

import pytest


def pantau(*args: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "streams.cli", *args], capture_output=True, text=True,
                          env={**__import__("os").environ, **env}, timeout=60)


@pytest.mark.parametrize(
    "args",
    [
        ("frobnicate",),
        ("services", "sideways"),
        ("state",),
        ("state", "--worker", "W-1", "--nik", "1"),
        ("publish",),
        ("demo", "--workers", "0"),
        ("demo", "--workers", "many"),
        ("score",),
        ("score", "out", "--as-of", "yesterday"),
        ("bench",),
        ("bench", "sprint"),
        ("bench", "replay", "--events", "0"),
        ("bench", "replay", "--guarantee", "twice"),
        ("bench", "latency", "--idle-seconds", "-1"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(args):
    result = pantau(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_missing_file_gives_one_line_and_exit_1(tmp_path):
    result = pantau("publish", str(tmp_path / "nope.jsonl"), "--dry-run")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"pantau: error: no such file: {tmp_path / 'nope.jsonl'}"]


def test_score_of_a_directory_that_is_no_population_gives_one_line_and_exit_1(tmp_path):
    result = pantau("score", str(tmp_path))
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"pantau: error: {tmp_path} is not a simulated population")


def test_bad_environment_gives_one_line_and_exit_1():
    result = pantau("publish", "x", "--dry-run", PANTAU_WEB_PORT="sixty")
    assert result.returncode == 1
    assert result.stderr.strip() == "pantau: error: PANTAU_WEB_PORT must be an integer, not 'sixty'"


@pytest.mark.parametrize(
    "args, message",
    [
        (("alerts", "--rule", "NOPE"), "pantau: error: unknown rule 'NOPE'; expected one of UNDERAGE_DEPARTURE"),
        (("alerts", "--status", "open"), "pantau: error: status must be one of OPEN, RESOLVED, not 'open'"),
        (("alerts", "--follow", "--api", "http://localhost:1"), "pantau: error: --follow reads the pipeline's Redis"),
    ],
)
def test_bad_alert_filters_give_one_line_and_exit_1(args, message):
    result = pantau(*args)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith(message)
