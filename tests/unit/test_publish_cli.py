"""``pantau publish`` and ``pantau reference publish`` with ``--dry-run``: errors by line number, and
nothing sent. Kafka is pointed at a closed port, so any attempt to reach it would fail the run."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest

from streams.settings import PROJECT_ROOT
from tests.factories import WIB, departed, make_worker, registered, write_jsonl

NO_KAFKA = {"PANTAU_KAFKA_BOOTSTRAP": "127.0.0.1:1"}  # nothing listens on port 1
SHIPPED = PROJECT_ROOT / "deploy" / "reference"


def pantau(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", *args], capture_output=True, text=True,
        env={**os.environ, **NO_KAFKA}, cwd=PROJECT_ROOT, timeout=60,
    )


def lines_of(stderr: str) -> list[str]:
    return stderr.strip().splitlines()


@pytest.fixture
def events():
    when = datetime(2026, 1, 5, 9, tzinfo=WIB)
    worker = make_worker(1)
    return [registered(worker, when), departed(worker, when.replace(day=25))]


def test_publish_dry_run_reports_each_bad_line_and_sends_nothing(tmp_path, events):
    bad_type = {**events[0], "event_type": "EMIGRATED"}
    no_source = {**events[1], "source": {"kind": "P3MI", "id": " "}}
    path = tmp_path / "events.jsonl"
    path.write_text(
        "\n".join([json.dumps(events[0]), "{not json", json.dumps(bad_type), "", json.dumps(no_source), json.dumps(events[1])])
        + "\n"
    )
    result = pantau("publish", str(path), "--dry-run")
    assert result.returncode == 1
    errors = lines_of(result.stderr)
    assert errors[0].startswith("line 2: INVALID_JSON: ")
    assert errors[1].startswith("line 3: UNKNOWN_EVENT_TYPE: ")
    assert errors[2].startswith("line 5: MISSING_SOURCE_ID: ")
    assert errors[3:] == ["would send 2, rejected 3 (INVALID_JSON 1, MISSING_SOURCE_ID 1, UNKNOWN_EVENT_TYPE 1)"]


def test_publish_dry_run_of_a_clean_file_exits_0(tmp_path, events):
    result = pantau("publish", str(write_jsonl(tmp_path / "events.jsonl", events)), "--dry-run")
    assert (result.returncode, lines_of(result.stderr)) == (0, ["would send 2, rejected 0"])


def test_reference_dry_run_reports_each_bad_row_and_sends_nothing(tmp_path):
    path = tmp_path / "licences.csv"
    path.write_text(
        "p3mi_id,name,status,valid_from,valid_until\n"
        "P3MI-0001,PT SINTETIS A,ACTIVE,2024-01-01,2028-12-31\n"
        "P3MI-0002,PT SINTETIS B,CLOSED,2024-01-01,2028-12-31\n"
        "\n"
        "P3MI-0003,PT SINTETIS C,ACTIVE,2024-01-01,2023-12-31\n"
        "P3MI-0001,PT SINTETIS A,REVOKED,2024-01-01,2028-12-31\n"
    )
    result = pantau("reference", "publish", "p3mi-licences", str(path), "--dry-run")
    assert result.returncode == 1
    errors = lines_of(result.stderr)
    assert errors[0].startswith("line 3: INVALID_STATUS: status 'CLOSED' is not one of ACTIVE, SUSPENDED, REVOKED")
    assert errors[1].startswith("line 5: INVALID_DATE_RANGE: ")
    assert errors[2] == "line 6: DUPLICATE_KEY: 'P3MI-0001' is on line 2 already; give one row per key"
    assert errors[3:] == ["would send 1, rejected 3 (DUPLICATE_KEY 1, INVALID_DATE_RANGE 1, INVALID_STATUS 1)"]


@pytest.mark.parametrize("kind, rows", [("p3mi-licences", 424), ("destination-policy", 59)])
def test_reference_dry_run_of_a_shipped_file_exits_0(kind, rows):
    result = pantau("reference", "publish", kind, str(SHIPPED / f"{kind}.csv"), "--dry-run")
    assert (result.returncode, lines_of(result.stderr)) == (0, [f"would send {rows}, rejected 0"])


def test_reference_with_a_wrong_header_is_one_error_line(tmp_path):
    path = tmp_path / "policy.csv"
    path.write_text("country,sector,moratorium,min_wage\nMY,PLANTATION,false,1700\n")
    result = pantau("reference", "publish", "destination-policy", str(path), "--dry-run")
    assert result.returncode == 1
    assert lines_of(result.stderr) == [
        f"pantau: error: {path} line 1: INVALID_HEADER: the header must be exactly "
        "country,sector,moratorium,min_monthly_wage,currency (missing min_monthly_wage, currency; unknown 'min_wage')"
    ]


def test_without_dry_run_the_closed_port_is_noticed(tmp_path):
    """The guard above is real: a run that does try to send fails, with one pantau error line."""
    result = pantau("reference", "publish", "p3mi-licences", str(SHIPPED / "p3mi-licences.csv"))
    assert result.returncode == 1
    assert lines_of(result.stderr)[-1].startswith("pantau: error: cannot reach Kafka at 127.0.0.1:1")
    assert "Traceback" not in result.stderr
