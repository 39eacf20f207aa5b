"""``pantau simulate``'s files: byte-identical for one seed, valid line by line, and a truth that
holds together (issue 5, must-show 1; the malformed messages give exactly their reasons)."""
from __future__ import annotations

import base64
import csv
import filecmp
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest

from domain.validation import INVALID_JSON, REASON_CODES, UNKNOWN_FIELD
from domain.vocabulary import SOURCE_KINDS
from simulator.malformed import CODEC
from simulator.output import write_population
from simulator.rates import Rates
from simulator.world import World
from streams.ingest import read_event
from streams.publish import check_lines

WORKERS = 1_500
FILES = ("manifest.json", "events.jsonl", "malformed.jsonl", "reference/p3mi-licences.csv",
         "reference/destination-policy.csv", "truth/event_people.csv", "truth/people.jsonl",
         "truth/anomalies.jsonl", "truth/counts.json")


@pytest.fixture(scope="module")
def population(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("population")
    write_population(World(seed=11, workers=WORKERS), out, processes=2)
    return out


def _jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_same_seed_gives_byte_identical_files_in_one_process_or_two(population, tmp_path):
    write_population(World(seed=11, workers=WORKERS), tmp_path, processes=1)
    for name in FILES:
        assert filecmp.cmp(population / name, tmp_path / name, shallow=False), name
    assert not (tmp_path / ".spill").exists()


def test_another_seed_gives_another_population(population, tmp_path):
    write_population(World(seed=12, workers=WORKERS), tmp_path, processes=1)
    ours = {p["nik"] for p in _jsonl(population / "truth/people.jsonl")}
    theirs = {p["nik"] for p in _jsonl(tmp_path / "truth/people.jsonl")}
    assert len(ours & theirs) < WORKERS * 0.01


def test_every_event_line_passes_publishs_checks(population):
    now = datetime.now(timezone.utc)
    with open(population / "events.jsonl", encoding="utf-8") as lines:
        problems = [(n, p) for n, _, p in check_lines(lines, now) if p is not None]
    assert problems == []


def test_every_malformed_message_gives_exactly_its_reason_and_every_reason_is_there(population):
    now = datetime.now(timezone.utc)
    given = Counter()
    for record in _jsonl(population / "malformed.jsonl"):
        _, problem = read_event(CODEC, base64.b64decode(record["value_b64"]), now, topic_source_kind=record["topic_kind"])
        assert problem is not None and problem.reason == record["reason"], record["reason"]
        assert record["topic_kind"] in SOURCE_KINDS
        given[record["reason"]] += 1
    assert set(given) == set(REASON_CODES) - {INVALID_JSON, UNKNOWN_FIELD}


def test_manifest_counts_the_files(population):
    manifest = orjson.loads((population / "manifest.json").read_bytes())
    events = _jsonl(population / "events.jsonl")
    assert manifest["generator"] == "pantau-simulator/1" and manifest["seed"] == 11 and manifest["workers"] == WORKERS
    assert manifest["events"] == len(events)
    assert manifest["distinct_events"] == len({(e["source"]["id"], e["event_id"]) for e in events})
    assert manifest["malformed"] == len((population / "malformed.jsonl").read_bytes().splitlines())
    assert manifest["people"] == len(_jsonl(population / "truth/people.jsonl")) == WORKERS


def test_retries_repeat_an_event_whole_and_arrive_later(population):
    by_id: dict[str, list[int]] = {}
    lines = (population / "events.jsonl").read_bytes().splitlines()
    for n, line in enumerate(lines):
        by_id.setdefault(orjson.loads(line)["event_id"], []).append(n)
    repeated = [at for at in by_id.values() if len(at) > 1]
    assert repeated and all(lines[at[0]] == lines[at[1]] for at in repeated)


def test_every_passport_an_embassy_reports_alone_is_also_reported_with_who_holds_it(population):
    """A renewed number, or a non-procedural worker's first: some report links each to the person."""
    alone, with_person = set(), set()
    for event in _jsonl(population / "events.jsonl"):
        worker = event["worker"]
        if "passport_no" in worker:
            (alone if worker.keys() == {"passport_no"} else with_person).add(worker["passport_no"])
    renewed = {number for number in alone if not number.startswith("C")}  # simulator.identity.PASSPORT_LETTERS
    assert renewed and alone <= with_person


def test_a_passport_reported_with_two_niks_is_an_identity_conflict_of_its_holder(tmp_path):
    """DESIGN §5: one passport on two NIKs is an IDENTITY_CONFLICT (a NIK typo's departure makes one)."""
    population = tmp_path
    write_population(World(seed=3, workers=300, rates=replace(Rates(), nik_typo=0.3)), population, processes=1)
    with open(population / "truth/event_people.csv", newline="") as f:
        person_of = {r["event_id"]: r["person_id"] for r in csv.DictReader(f)}
    niks_of = {}
    for event in _jsonl(population / "events.jsonl"):
        worker = event["worker"]
        if worker.get("nik") and worker.get("passport_no"):
            niks_of.setdefault((person_of[event["event_id"]], worker["passport_no"]), set()).add(worker["nik"])
    on_two = {person for (person, _), niks in niks_of.items() if len(niks) > 1}
    conflicts = {a["subject"]["id"] for a in _jsonl(population / "truth/anomalies.jsonl") if a["rule"] == "IDENTITY_CONFLICT"}
    assert on_two and on_two <= conflicts


def test_truth_holds_together(population):
    events = {(e["source"]["id"], e["event_id"]) for e in _jsonl(population / "events.jsonl")}
    with open(population / "truth/event_people.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    people = {p["person_id"]: p for p in _jsonl(population / "truth/people.jsonl")}
    assert {(r["source_id"], r["event_id"]) for r in rows} == events and len(rows) == len(events)
    assert {r["person_id"] for r in rows} <= set(people)
    ids = {event_id for _, event_id in events}
    anomalies = _jsonl(population / "truth/anomalies.jsonl")
    for anomaly in anomalies:
        assert anomaly["evidence"] and set(anomaly["evidence"]) <= ids, anomaly
        if anomaly["subject"]["kind"] == "WORKER":
            assert anomaly["subject"]["id"] in people
    rules = {a["rule"] for a in anomalies}
    assert rules == {
        "UNDERAGE_DEPARTURE", "DEPARTURE_WITHOUT_TRAINING", "DEPARTURE_WITHOUT_SOCIAL_SECURITY", "UNLICENSED_P3MI",
        "MORATORIUM_DESTINATION", "UNCONFIRMED_PLACEMENT", "OVERSTAY", "CASE_UNRESOLVED", "RETURN_WITHOUT_DEPARTURE",
        "IDENTITY_CONFLICT", "IMPOSSIBLE_SEQUENCE", "BELOW_MINIMUM_WAGE", "SPIKE",
    }
    counts = orjson.loads((population / "truth/counts.json").read_bytes())
    statuses = Counter(p["status"] for p in people.values())
    assert counts["canonical"]["status"] == dict(statuses)
    abroad = statuses["DEPARTED"] + statuses["PLACED"]
    for dimension in ("country", "province", "sector"):
        assert sum(counts["canonical"][dimension].values()) == abroad
    assert sum(counts["sources"]["EMBASSY"]["country"].values()) > 0 < sum(counts["sources"]["P3MI"]["country"].values())


def test_the_reference_data_is_the_shipped_one(population):
    shipped = Path(__file__).resolve().parents[2] / "deploy" / "reference"
    for name in ("p3mi-licences.csv", "destination-policy.csv"):
        assert (population / "reference" / name).read_bytes() == (shipped / name).read_bytes()


def _pantau(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "streams.cli", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("extra, says", [
    (("--rate", "bogus=1"), "unknown rate 'bogus'"),
    (("--rate", "retry=2"), "rate retry must be a share between 0 and 1"),
    (("--rate", "retry"), "--rate takes NAME=VALUE"),
    (("--until", "2999-01-01"), "is not in the past"),
    (("--until", "yesterday"), "--until must be a date"),
    (("--years", "0"), "--years must be between 1 and 20"),
])
def test_bad_options_give_one_line_and_exit_1(tmp_path, extra, says):
    result = _pantau("simulate", "--workers", "10", "--seed", "1", "--out", str(tmp_path), *extra)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and says in result.stderr


def test_every_event_happens_within_the_window(population):
    days = {line[line.index(b'"occurred_at":"') + 15:][:10] for line in (population / "events.jsonl").read_bytes().splitlines()}
    assert b"2023-10-31" <= min(days) and max(days) <= b"2026-10-31"
