"""The scorer's report on a hand-made truth and hand-made outputs (the topics' reading is
covered by the integration tests)."""
import json
from dataclasses import replace
from datetime import datetime, timezone

import pytest

from streams.errors import UserError
from streams.score import Observed, Truth, judged_as_of, load_truth, score

AS_OF = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _state(status: str, country: str | None = None) -> dict:
    episode = {"country": country, "sector": "CAREGIVER"} if country else None
    return {"status": status, "current_episode": episode, "origin_regency": "3502"}


TRUTH = Truth(
    manifest={"seed": 7, "workers": 3, "people": 3, "distinct_events": 6, "malformed": 0},
    person_of={"S:1": "P-1", "S:2": "P-1", "S:3": "P-1", "S:4": "P-2", "S:5": "P-2", "S:6": "P-3"},
    status_of={"P-1": "PLACED", "P-2": "RETURNED", "P-3": "DEPARTED"},
    anomalies=[
        {"rule": "OVERSTAY", "subject": {"kind": "WORKER", "id": "P-1"}, "evidence": ["1"],
         "opened_at": "2026-01-01T00:00:00+00:00", "due_at": "2026-02-01T00:00:00+00:00", "resolved_at": None},
        {"rule": "OVERSTAY", "subject": {"kind": "WORKER", "id": "P-2"}, "evidence": ["4"],
         "opened_at": "2026-01-01T00:00:00+00:00", "due_at": "2027-01-01T00:00:00+00:00", "resolved_at": None},
        {"rule": "SPIKE", "subject": {"kind": "P3MI", "id": "P3MI-0042"}, "evidence": [],
         "opened_at": "2026-03-01T00:00:00+00:00", "due_at": None, "resolved_at": None},
    ],
    counts={"canonical": {"country": {"TW": 2}, "province": {"35": 2}, "sector": {"CAREGIVER": 2},
                          "status": {"PLACED": 1, "RETURNED": 1, "DEPARTED": 1}}},
)


def test_the_report_scores_identity_status_alerts_and_counts():
    # P-1 split over two workers (the third event is on its own), P-3 known only from a case, P-2's
    # fifth event never arrived.
    observed = Observed(
        worker_of={"S:1": "W-a", "S:2": "W-a", "S:3": "W-b", "S:4": "W-c", "S:6": "W-z", "S:99": "W-z"},
        states={"W-a": _state("PLACED", "TW"), "W-b": _state("DEPARTED", "TW"), "W-c": _state("PLACED", "TW"),
                "W-z": _state(None)},  # known only from a case report: no stage
        alerts=[
            {"alert_id": "a1", "rule": "OVERSTAY", "subject": {"kind": "WORKER", "id": "W-a"}},
            {"alert_id": "a2", "rule": "OVERSTAY", "subject": {"kind": "WORKER", "id": "W-c"}},
            {"alert_id": "a3", "rule": "SPIKE", "subject": {"kind": "P3MI", "id": "P3MI-0042"},
             "details": {"withdrawn": "true"}},
        ],
        watermark=AS_OF,
    )

    report = score(TRUTH, observed, AS_OF)

    assert report["records"] == {"truth": 6, "in_a_worker": 5, "missing": 1, "unexpected": 1}
    identity = report["identity"]
    assert identity["pairwise_precision"] == 1.0
    assert identity["pairwise_recall"] == pytest.approx(1 / 3)  # of P-1's 3 pairs one kept together
    assert report["status"]["correct"] == 1 and report["status"]["accuracy"] == pytest.approx(1 / 3)
    assert {"true": "DEPARTED", "predicted": "NO_STATUS", "persons": 1} in report["status"]["confusion"]
    # P-2's overstay is not due yet: raising it is a false positive; the SPIKE was missed.
    assert report["alerts"]["OVERSTAY"] == {"expected": 1, "raised": 2, "matched": 1, "precision": 0.5, "recall": 1.0}
    assert report["alerts"]["SPIKE"]["recall"] == 0.0  # the withdrawn one does not count
    assert report["counts"]["country"]["predicted_total"] == 3 and report["counts"]["country"]["absolute_error"] == 1
    assert report["counts"]["status"]["worst_value"] in {"DEPARTED", "PLACED", "RETURNED"}
    json.dumps(report)  # --json must be able to print it


def test_a_directory_without_the_truth_files_is_a_one_line_user_error(tmp_path):
    (tmp_path / "manifest.json").write_text("{}")

    with pytest.raises(UserError, match="not a simulated population: no truth/event_people.csv"):
        load_truth(tmp_path)


def test_timed_alerts_are_judged_at_the_pipelines_watermark_and_at_now_only_before_any_event():
    observed = Observed(worker_of={}, states={}, alerts=[], watermark=AS_OF)
    assert judged_as_of(observed) == AS_OF
    before = datetime.now(timezone.utc)
    assert judged_as_of(replace(observed, watermark=None)) >= before
