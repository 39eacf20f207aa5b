"""``pantau score DIR``: what the running pipeline produced, against a simulated population's truth.

It reads the pipeline's output topics, not its insides: the worker-state topic holds each
worker's state with the keys of the events folded into it (so a merged worker's state names
the events of both), the alerts topic what was raised. The truth is the simulator's ``DIR/truth`` (docs/simulator.md). The
figures themselves are defined in ``domain.scoring``.
"""
from __future__ import annotations

import asyncio
import csv
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table

from domain.counts import ABROAD_DIMENSIONS, DIMENSIONS, NO_STATUS, canonical_counts
from domain.identity.review import RULE as POSSIBLE_DUPLICATE
from domain.reconciliation import population, rows
from domain.source_records import SOURCES
from domain.scoring import Contingency, alert_scores, count_error, identity_score, status_score
from domain.watermark import reached
from streams.alerting import Codecs, watermark_changelog
from streams.codec import AvroCodec
from streams.errors import UserError
from streams.settings import Settings
from streams.terminal import report_console
from streams.topic_reader import latest_by_key, read_to_end
from streams.topics import TopicNames

TRUTH_FILES = ("manifest.json", "truth/event_people.csv", "truth/people.jsonl", "truth/anomalies.jsonl", "truth/counts.json")


@dataclass(frozen=True)
class Truth:
    manifest: dict
    person_of: dict[str, str]  # event key (source id:event id) → person id
    status_of: dict[str, str]  # person id → true final status
    anomalies: list[dict]
    counts: dict


@dataclass(frozen=True)
class Observed:
    worker_of: dict[str, str]  # event key → the worker whose state holds it
    states: dict[str, dict]  # worker id → latest state
    alerts: list[dict]  # the latest record of every alert id
    watermark: datetime | None  # how far the pipeline got in event time (domain.watermark.reached)


def load_truth(directory: Path) -> Truth:
    missing = [name for name in TRUTH_FILES if not (directory / name).is_file()]
    if missing:
        raise UserError(f"{directory} is not a simulated population: no {', '.join(missing)} (make one with pantau simulate)")
    with open(directory / "truth" / "event_people.csv", newline="") as rows:
        person_of = {f"{row['source_id']}:{row['event_id']}": row["person_id"] for row in csv.DictReader(rows)}
    status_of = {person["person_id"]: person["status"] for person in _json_lines(directory / "truth" / "people.jsonl")}
    return Truth(
        json.loads((directory / "manifest.json").read_text()),
        person_of,
        status_of,
        list(_json_lines(directory / "truth" / "anomalies.jsonl")),
        json.loads((directory / "truth" / "counts.json").read_text()),
    )


def _json_lines(path: Path):
    with open(path) as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


async def observe(settings: Settings) -> Observed:
    topics = TopicNames(settings.topic_prefix)
    state_codec, alert_codec = AvroCodec.named("worker_state"), AvroCodec.named("alert")
    latest_states = await latest_by_key(settings, topics.worker_state)
    states = {key.decode(): state_codec.decode(value) for key, value in latest_states.items() if value is not None}
    latest_alerts = {}
    async for record in read_to_end(settings, topics.alerts):
        alert = alert_codec.decode(record.value)
        latest_alerts[alert["alert_id"]] = alert
    worker_of = {key: worker for worker, state in states.items() for key in state["event_ids"]}
    marks = await latest_by_key(settings, watermark_changelog(settings))
    watermark = reached(Codecs().watermark(value) for value in marks.values() if value is not None)
    return Observed(worker_of, states, list(latest_alerts.values()), watermark)


def score(truth: Truth, observed: Observed, as_of: datetime) -> dict:
    """The report, JSON-ready: every figure of ``domain.scoring`` on this truth and these outputs."""
    seen = [(person, observed.worker_of[key]) for key, person in truth.person_of.items() if key in observed.worker_of]
    table = Contingency.of(seen)
    statuses = {worker: state["status"] or NO_STATUS for worker, state in observed.states.items()}
    person_of_worker = table.main_person()
    predicted_counts = canonical_counts(observed.states.values())
    return {
        "as_of": as_of.isoformat(),
        "population": {key: truth.manifest.get(key) for key in ("seed", "workers", "people", "distinct_events", "malformed")},
        "records": {
            "truth": len(truth.person_of),
            "in_a_worker": len(seen),
            "missing": len(truth.person_of) - len(seen),
            "unexpected": len(observed.worker_of.keys() - truth.person_of.keys()),
        },
        "identity": asdict(identity_score(table)),
        "status": _status_report(status_score(truth.status_of, statuses, table.main_worker())),
        "alerts": _alert_report(truth.anomalies, observed.alerts, person_of_worker, as_of),
        "counts": {
            dimension: _count_report(truth.counts["canonical"].get(dimension, {}), predicted_counts[dimension])
            for dimension in DIMENSIONS
        },
        "source_counts": _source_count_report(truth.counts.get("sources", {}), observed.states.values()),
    }


def _source_count_report(true: dict, states) -> dict:
    """Per source kind and dimension: what the reconciliation says that kind alone counts, against the truth."""
    summed = population(states)
    report = {}
    for kind in SOURCES:
        report[kind] = {}
        for dimension in ABROAD_DIMENSIONS:
            predicted = {row["key"]: row["sources"][kind]["count"] for row in rows(summed, dimension)
                         if row["sources"][kind]["count"]}
            report[kind][dimension] = _count_report(true.get(kind, {}).get(dimension, {}), predicted)
    return report


def _status_report(scored) -> dict:
    confusion = [
        {"true": true, "predicted": predicted, "persons": n}
        for (true, predicted), n in sorted(scored.confusion.items())
    ]
    return {"persons": scored.persons, "correct": scored.correct, "accuracy": scored.accuracy, "confusion": confusion}


def _alert_report(anomalies: list[dict], alerts: list[dict], person_of_worker: dict, as_of: datetime) -> dict:
    # A worker alert names a worker; the truth names a person: compare through the worker's main person.
    expected = [
        (anomaly["rule"], (anomaly["subject"]["kind"], anomaly["subject"]["id"]))
        for anomaly in anomalies
        if datetime.fromisoformat(anomaly.get("due_at") or anomaly["opened_at"]) <= as_of
    ]
    # A withdrawn alert said its cause never held (docs/alerts.md): the rules took it back. A
    # POSSIBLE_DUPLICATE is a question to a reviewer, not an anomaly: the identity figures score it.
    raised = [
        (alert["rule"], (alert["subject"]["kind"], person_of_worker.get(alert["subject"]["id"], alert["subject"]["id"])))
        for alert in alerts
        if alert.get("details", {}).get("withdrawn") != "true" and alert["rule"] != POSSIBLE_DUPLICATE
    ]
    return {
        rule: {**asdict(scored), "precision": scored.precision, "recall": scored.recall}
        for rule, scored in alert_scores(expected, raised).items()
    }


def _count_report(true: dict, predicted: dict) -> dict:
    error = count_error(true, predicted)
    return {**asdict(error), "relative_error": error.relative_error}


def run_score(settings: Settings, directory: str, as_json: bool = False, as_of: datetime | None = None) -> int:
    """The ``pantau score`` command."""
    truth = load_truth(Path(directory))
    observed = asyncio.run(observe(settings))
    report = score(truth, observed, as_of or judged_as_of(observed))
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report, report_console())
    return 0


def judged_as_of(observed: Observed) -> datetime:
    """When timed alerts are judged by default: the pipeline's watermark. A deadline the pipeline's
    event time has not reached cannot have fired (a replay of history stops at its last event); now
    only when the pipeline has seen no event."""
    return observed.watermark or datetime.now(timezone.utc)


def print_report(report: dict, console: Console) -> None:
    records, identity, status = report["records"], report["identity"], report["status"]
    console.print(
        f"[bold]score[/] against the truth of seed {report['population']['seed']} "
        f"({report['population']['people']} people), as of {report['as_of'][:19]}: "
        f"{records['in_a_worker']} of {records['truth']} distinct events in a worker's state"
        + (f", [red]{records['missing']} missing[/]" if records["missing"] else "")
        + (f", {records['unexpected']} not in the truth" if records["unexpected"] else "")
    )
    quality = Table(title="identity and status", title_justify="left")
    for column in ("figure", "precision", "recall", "F1"):
        quality.add_column(column, justify="left" if column == "figure" else "right")
    quality.add_row("identity, pairwise", *map(_figure, (identity["pairwise_precision"], identity["pairwise_recall"], identity["pairwise_f1"])))
    quality.add_row("identity, B-cubed", *map(_figure, (identity["bcubed_precision"], identity["bcubed_recall"], identity["bcubed_f1"])))
    quality.add_row(f"status accuracy ({status['correct']}/{status['persons']} people)", "", "", _figure(status["accuracy"]))
    console.print(quality)

    alerts = Table(title="alerts per rule (a subject raised vs expected)", title_justify="left")
    alerts.add_column("rule", no_wrap=True)  # a rule's name is what an operator searches for: never cut
    for column in ("expected", "raised", "matched", "precision", "recall"):
        alerts.add_column(column, justify="right")
    for rule, scored in report["alerts"].items():
        alerts.add_row(rule, *(str(scored[k]) for k in ("expected", "raised", "matched")), _figure(scored["precision"]), _figure(scored["recall"]))
    console.print(alerts)

    counts = Table(title="counts of workers abroad (all workers by status): canonical, and each source kind's own",
                   title_justify="left")
    for column in ("view", "dimension", "values", "true", "pipeline", "|error|", "relative", "worst value"):
        counts.add_column(column, justify="left" if column in ("view", "dimension", "worst value") else "right")
    views = [("canonical", report["counts"]), *report.get("source_counts", {}).items()]
    for view, by_dimension in views:
        for dimension, error in by_dimension.items():
            worst = f"{error['worst_value']} ({error['worst_error']:+d})" if error["worst_error"] else "-"
            counts.add_row(
                view, dimension, str(error["values"]), str(error["true_total"]), str(error["predicted_total"]),
                str(error["absolute_error"]), _figure(error["relative_error"], percent=True), worst,
            )
    console.print(counts)


def _figure(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2%}" if percent else f"{value:.4f}"
