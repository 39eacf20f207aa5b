"""``pantau demo`` / ``make demo``: the whole pipeline on a simulated population, then what it found.

Services up; the demo's own pipeline (prefix ``{PANTAU_TOPIC_PREFIX}-demo``, so never the live one's
data) emptied; a population simulated with its
ground truth; the reference data and the events produced; one worker run until it has consumed
everything; then a summary — events in, dead letters by reason, workers by status and top
destinations read from the output topics, open alerts by rule from the Redis alert channels, as
``pantau alerts --status OPEN`` shows them —, the score against the truth, and the
reconciliation table (per source kind against canonical, with the causes) from Redis.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from domain.alerts import OPEN
from domain.counts import canonical_counts
from simulator.command import write_with_progress
from simulator.produce import produce_population
from simulator.world import World
from streams import ports, services
from streams.admin import ensure_topics
from streams.alert_channels import AlertChannels
from streams.codec import AvroCodec
from streams.reconcile import print_table, reconciliation_report
from streams.reset import reset
from streams.score import Observed, judged_as_of, load_truth, observe, print_report, score
from streams.settings import Settings
from streams.terminal import report_console
from streams.topic_reader import read_to_end
from streams.topics import TopicNames
from streams.worker_process import WorkerProcess

DEMO_SUFFIX = "-demo"
TOP_DESTINATIONS = 10


def run_demo(settings: Settings, workers: int = 10_000, seed: int = 1, as_json: bool = False) -> int:
    console = report_console(stderr=as_json)
    started = time.monotonic()
    services.up(settings, echo=console.print)
    settings = _own_web_port(replace(settings, topic_prefix=settings.topic_prefix + DEMO_SUFFIX), console)
    asyncio.run(_fresh_pipeline(settings))
    population = settings.data_dir / f"{settings.topic_prefix}-population-{workers}-seed{seed}"
    manifest = _simulate(population, workers, seed, console)
    sent = manifest["events"] + manifest["malformed"]
    worker = WorkerProcess(settings, settings.data_dir / f"{settings.topic_prefix}-worker.log").start()
    try:
        asyncio.run(produce_population(settings, population))
        with console.status("worker processing…") as status:
            worker.wait_processed(
                sent, timeout=300.0,
                on_progress=lambda n: status.update(f"worker processed {n:,}/{sent:,} messages"),
            )
            _wait_for_no_lag(worker)
        outcomes = {o: int(worker.counter("pantau_events", outcome=o)) for o in ("applied", "duplicate", "dead_letter")}
    finally:
        worker.stop()
    observed = asyncio.run(observe(settings))
    dead_letters = asyncio.run(_dead_letter_reasons(settings))
    open_alerts = asyncio.run(_open_alerts_by_rule(settings))
    truth = load_truth(population)
    summary = _summary(truth.manifest, outcomes, dead_letters, observed, open_alerts, time.monotonic() - started)
    report = score(truth, observed, judged_as_of(observed))
    if as_json:
        print(json.dumps({**summary, "score": report}, indent=2))
    else:
        _print_summary(summary, truth.counts["canonical"]["country"], console)
        print_report(report, console)
        print_table(reconciliation_report(settings, "country"), console, TOP_DESTINATIONS)
        console.print(
            f"explore it with PANTAU_TOPIC_PREFIX={settings.topic_prefix}: pantau state --worker ID | --nik NIK, "
            f"pantau score {population}"
        )
    return 0


def _own_web_port(settings: Settings, console: Console) -> Settings:
    """The configured web port, or a free one when another worker (a live pipeline, another demo) holds it."""
    if not ports.taken(settings.web_port):
        return settings
    port = ports.free_port()
    console.print(f"port {settings.web_port} is taken (another pantau worker?): the demo's worker serves on {port}")
    return replace(settings, web_port=port)


async def _fresh_pipeline(settings: Settings) -> None:
    await reset(settings)
    await ensure_topics(settings)


def _simulate(population: Path, workers: int, seed: int, console: Console) -> dict:
    manifest = write_with_progress(World(seed, workers), population, console=console)
    console.print(
        f"simulated {manifest['people']:,} people: {manifest['events']:,} events "
        f"({manifest['distinct_events']:,} distinct), {manifest['malformed']:,} malformed → {population}"
    )
    return manifest


def _wait_for_no_lag(worker: WorkerProcess, timeout: float = 60.0) -> None:
    """Processed counts say every message reached an outcome; lag 0 says its offset is committed."""
    deadline = time.monotonic() + timeout
    while worker.sample("pantau_consumer_lag") > 0:
        if time.monotonic() > deadline:
            raise TimeoutError(f"consumer lag still {worker.sample('pantau_consumer_lag'):.0f} after {timeout:.0f} s")
        time.sleep(0.5)


async def _dead_letter_reasons(settings: Settings) -> Counter:
    codec = AvroCodec.named("dead_letter")
    reasons = Counter()
    async for record in read_to_end(settings, TopicNames(settings.topic_prefix).dead_letter):
        reasons[codec.decode(record.value)["reason"]] += 1
    return reasons


async def _open_alerts_by_rule(settings: Settings) -> Counter:
    channels = AlertChannels(settings)
    try:
        return Counter(alert["rule"] for alert in await channels.query(status=OPEN))
    finally:
        await channels.close()


def _summary(manifest: dict, outcomes: dict, dead_letters: Counter, observed: Observed, open_alerts: Counter,
             seconds: float) -> dict:
    counts = canonical_counts(observed.states.values())
    return {
        "seconds": round(seconds, 1),
        "population": {"workers": manifest["workers"], "seed": manifest["seed"], "people": manifest["people"]},
        "events_in": {
            "messages": manifest["events"] + manifest["malformed"],
            "valid_lines": manifest["events"],
            "distinct_valid": manifest["distinct_events"],
            "malformed": manifest["malformed"],
            **outcomes,
        },
        "dead_letters": dict(dead_letters.most_common()),
        "workers_by_status": dict(counts["status"].most_common()),
        "top_destinations": dict(counts["country"].most_common(TOP_DESTINATIONS)),
        "open_alerts": dict(open_alerts.most_common()),
    }


def _print_summary(summary: dict, true_destinations: dict, console: Console) -> None:
    events = summary["events_in"]
    console.print(
        f"[bold]demo[/] {summary['population']['workers']:,} simulated workers (seed {summary['population']['seed']}) "
        f"in {summary['seconds']:.0f} s: {events['messages']:,} messages in — {events['applied']:,} applied, "
        f"{events['duplicate']:,} duplicates (partner retries), {events['dead_letter']:,} dead letters"
    )
    console.print(_two_columns("dead letters by reason", "reason", summary["dead_letters"]))
    console.print(_two_columns("workers by status", "status", summary["workers_by_status"]))
    destinations = Table(title="top destinations (workers abroad now)", title_justify="left")
    for column in ("country", "pipeline", "truth"):
        destinations.add_column(column, justify="left" if column == "country" else "right")
    for country, n in summary["top_destinations"].items():
        destinations.add_row(country, f"{n:,}", f"{true_destinations.get(country, 0):,}")
    console.print(destinations)
    if summary["open_alerts"]:
        console.print(_two_columns("open alerts by rule", "rule", summary["open_alerts"]))
    else:
        console.print("open alerts by rule: none in the Redis alert channels")


def _two_columns(title: str, name: str, counts: dict) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(name)
    table.add_column("count", justify="right")
    for key, n in counts.items():
        table.add_row(key, f"{n:,}")
    return table
