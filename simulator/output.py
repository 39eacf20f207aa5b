"""Writing a population to DIR: events in arrival order, malformed messages, reference data and
the ground truth (docs/simulator.md describes every file).

People are generated in chunks by a pool of processes (``--processes``); each process appends
its chunks' events to its own spill files, one per slice of arrival time, and sends the truth
back to be written in chunk order. Then the same pool sorts each slice alone and writes it at
its place in ``events.jsonl`` (known from the slices' sizes). Memory stays flat whatever the
population: a chunk per process, plus one slice (the slices grow in number with the
population, so each holds about the same number of events).
"""
from __future__ import annotations

import base64
import gc
import multiprocessing
import os
import shutil
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from math import log
from pathlib import Path
from random import Random

import orjson

from domain.partner_json import from_json
from simulator import spikes, truth
from simulator.clock import DAY, EPOCH, timestamp
from simulator.journey import EMBASSY, NORMAL, P3MI, TRAINING_CENTER, build_person
from simulator.malformed import MALFORMATIONS
from simulator.world import World

GENERATOR = "pantau-simulator/1"
CHUNK = 2_000  # people per unit of work
_EVENTS_PER_SLICE = 40_000  # about; sets how many arrival-time slices (spill files) there are
_MAX_SLICES = 1_000  # open spill files at once
_ARRIVAL_HORIZON = 180 * DAY  # events arriving later than until + this arrive at that moment
_REASONS = tuple(sorted(MALFORMATIONS))
_DELAY_FIELD = {TRAINING_CENTER: "training_center_delay_days", P3MI: "p3mi_delay_days", EMBASSY: "embassy_delay_days"}
_DIMENSIONS = ("country", "province", "sector")
_GC_THRESHOLD = 20_000  # allocations between two young-generation collections while generating
_KEY = 24  # the sort key before each spill line: arrival (11 digits), person (8), event (3), copy (1), a space


@dataclass
class ChunkResult:
    """What one chunk adds to each output; merged in chunk order by the writer."""

    first: int
    spills: dict[int, bytes]  # the events' spill lines by arrival-time slice, until written
    people: bytes
    event_people: bytes
    anomalies: bytes
    malformed: bytes
    events: int = 0
    distinct: int = 0
    malformed_count: int = 0
    canonical: dict = field(default_factory=lambda: {d: Counter() for d in (*_DIMENSIONS, "status")})
    sources: dict = field(default_factory=lambda: {k: {d: Counter() for d in _DIMENSIONS} for k in (P3MI, EMBASSY)})
    incidents: Counter = field(default_factory=Counter)  # (country, kind, day): what country SPIKEs are judged on
    slices: Counter = field(default_factory=Counter)  # slice → bytes its spill lines take in events.jsonl


class _Layout:
    """Where an arrival time falls among the spill slices."""

    def __init__(self, world: World, expected_events: int):
        self.first = timestamp(world.start, 0)
        self.last = timestamp(world.until + 1, 0) + _ARRIVAL_HORIZON
        self.slices = max(1, min(_MAX_SLICES, expected_events // _EVENTS_PER_SLICE))

    def slice_of(self, arrival: int) -> int:
        return (arrival - self.first) * self.slices // (self.last - self.first + 1)


def generate_chunk(world: World, layout: _Layout, first: int, last: int) -> ChunkResult:
    """People ``first`` … ``last - 1``: their events as spill lines, their truth and counts."""
    spills: dict[int, list[bytes]] = {}
    people, event_people, anomalies, malformed = [], [], [], []
    result = ChunkResult(first, {}, b"", b"", b"", b"")
    rates, reference, canonical, sources = world.rates, world.reference, result.canonical, result.sources
    delays = {kind: _Delay(getattr(rates, name)) for kind, name in _DELAY_FIELD.items()}
    retry, retry_delay = rates.retry, _Delay(rates.retry_delay_days)
    last_second, slice_of, dumps = layout.last, layout.slice_of, orjson.dumps
    events_written = distinct = 0
    for index in range(first, last):
        rng = world.rng(index)
        random = rng.random
        spike = world.spike_role(index)
        person = build_person(world, index, rng, NORMAL if spike else world.role(rng), spike)
        events = truth.ordered(person)
        record = truth.person_record(person, events)
        people.append(dumps(record))
        truth.count_person(canonical, record)
        truth.count_sources(sources, events)
        for anomaly in truth.anomalies(person, events, reference):
            anomalies.append(dumps(anomaly))
        group = world.spike_group_led_by(index)
        if group is not None:
            anomalies.append(dumps(spikes.burst_anomaly(group)))
        spikes.count_incidents(result.incidents, person, events)
        pid = person.person_id
        for ordinal, event in enumerate(person.events):
            doc = event.doc
            line = dumps(doc)
            event_people.append(f"{doc['event_id']},{doc['source']['id']},{pid}\n")
            arrival = event.t + _delay(random, delays[event.kind])
            at = arrival if arrival < last_second else last_second
            spills.setdefault(slice_of(at), []).append(b"%011d%08d%03d0 %b" % (at, index, ordinal, line))
            events_written += 1
            if random() < retry:
                at = arrival + _delay(random, retry_delay) + 60
                at = at if at < last_second else last_second
                spills.setdefault(slice_of(at), []).append(b"%011d%08d%03d1 %b" % (at, index, ordinal, line))
                events_written += 1
        distinct += len(person.events)
        if person.events and (index < len(_REASONS) or random() < rates.malformed):
            reason = _REASONS[index] if index < len(_REASONS) else rng.choice(_REASONS)
            malformed.append(_malformed(rng, reason, rng.choice(person.events).doc))
            result.malformed_count += 1
    result.events, result.distinct = events_written, distinct
    result.spills = {s: b"\n".join(lines) + b"\n" for s, lines in spills.items()}
    result.people = _lines(people)
    result.event_people = "".join(event_people).encode()
    result.anomalies = _lines(anomalies)
    result.malformed = _lines(malformed)
    return result


def _lines(items: list[bytes]) -> bytes:
    return b"".join(item + b"\n" for item in items)


class _Delay:
    """An exponential delay in seconds, capped at five means (a partner's backlog, not forever)."""

    __slots__ = ("rate", "cap")

    def __init__(self, mean_days: float):
        self.rate = 1.0 / mean_days if mean_days > 0 else 0.0
        self.cap = 5 * mean_days


def _delay(random: Callable[[], float], delay: _Delay) -> int:
    """``random`` is the person's ``Random.random``; no draw when there is no delay."""
    if not delay.rate:
        return 0
    days = -log(1.0 - random()) / delay.rate  # Random.expovariate, without its call
    return int((days if days < delay.cap else delay.cap) * DAY)


def _malformed(rng: Random, reason: str, doc: dict) -> bytes:
    event = from_json({**doc, "event_id": f"{rng.getrandbits(64):016x}-broken"})
    kind, value = MALFORMATIONS[reason](event)
    return orjson.dumps({"reason": reason, "topic_kind": kind, "value_b64": base64.b64encode(value).decode()})


# ---- the writer ------------------------------------------------------------------------------

class _Spill:
    """This process's part of each arrival-time slice: one file per slice, written once per chunk
    without buffering (so nothing waits in memory when a pool process ends). A slice is sorted
    whole, so which process wrote which line of it does not change the output."""

    def __init__(self, directory: Path):
        self.directory, self.files = directory, {}

    def write(self, slices: dict[int, bytes]) -> None:
        for s, data in slices.items():
            handle = self.files.get(s)
            if handle is None:
                handle = self.files[s] = open(self.directory / f"{s:05d}.{os.getpid()}", "ab", buffering=0)
            handle.write(data)

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


_WORLD: World | None = None
_LAYOUT: _Layout | None = None
_SPILL: _Spill | None = None


def _init(world: World, layout: _Layout, spill_dir: Path) -> None:
    global _WORLD, _LAYOUT, _SPILL
    _WORLD, _LAYOUT, _SPILL = world, layout, _Spill(spill_dir)
    # A person is a tree of short-lived dicts with no cycles, freed by reference counting: the
    # cyclic collector, run every 700 allocations by default, only rescans them (~8% of the time).
    gc.freeze()
    gc.set_threshold(_GC_THRESHOLD, 20, 20)


def _chunk(bounds: tuple[int, int]) -> ChunkResult:
    """One chunk, its events written to this process's spill files; the rest goes back to the writer."""
    result = generate_chunk(_WORLD, _LAYOUT, *bounds)
    _SPILL.write(result.spills)
    result.slices = Counter({s: len(data) - _KEY * data.count(b"\n") for s, data in result.spills.items()})
    result.spills = {}
    return result


def write_population(world: World, out: Path, processes: int = 2,
                     progress: Callable[[str, int, int], None] = lambda phase, done, total: None) -> dict:
    """Writes the population to ``out`` (created; emptied of a previous population's files) and returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    spill_dir = out / ".spill"
    shutil.rmtree(spill_dir, ignore_errors=True)
    spill_dir.mkdir()
    (out / "truth").mkdir(exist_ok=True)
    world.reference.copy_to(out)
    layout = _Layout(world, world.workers * 9)
    bounds = [(first, min(first + CHUNK, world.workers)) for first in range(0, world.workers, CHUNK)]
    totals = ChunkResult(0, {}, b"", b"", b"", b"")
    with _workers(world, layout, spill_dir, processes) as run, \
            open(out / "truth" / "people.jsonl", "wb") as people, \
            open(out / "truth" / "event_people.csv", "wb") as event_people, \
            open(out / "truth" / "anomalies.jsonl", "wb") as anomalies, \
            open(out / "malformed.jsonl", "wb") as malformed:
        event_people.write(b"event_id,source_id,person_id\n")
        for result in run(_chunk, bounds):
            people.write(result.people)
            event_people.write(result.event_people)
            anomalies.write(result.anomalies)
            malformed.write(result.malformed)
            _add(totals, result)
            progress("people", min(result.first + CHUNK, world.workers), world.workers)
        anomalies.write(_lines([orjson.dumps(a) for a in spikes.country_anomalies(world.spikes, totals.incidents)]))
        # Each slice's place in events.jsonl is known from its size: the slices are sorted and
        # written there in parallel, and nothing passes through this process.
        slices, offset, tasks = sorted(totals.slices), 0, []
        for s in slices:
            tasks.append((spill_dir, s, out / "events.jsonl", offset))
            offset += totals.slices[s]
        with open(out / "events.jsonl", "wb") as events:
            events.truncate(offset)
        for done, _ in enumerate(run(_sort_slice, tasks), start=1):
            progress("arrival order", done, len(slices))
    shutil.rmtree(spill_dir)
    until = date.fromordinal(world.until).isoformat()
    counts = {"as_of": until, "canonical": totals.canonical, "sources": totals.sources}
    (out / "truth" / "counts.json").write_bytes(orjson.dumps(counts, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2))
    manifest = {
        "generator": GENERATOR, "seed": world.seed, "workers": world.workers,
        "years": world.years, "until": until, "rates": asdict(world.rates),
        "events": totals.events, "distinct_events": totals.distinct, "malformed": totals.malformed_count,
        "people": world.workers,
    }
    (out / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return manifest


@contextmanager
def _workers(world: World, layout: _Layout, spill_dir: Path, processes: int):
    """An ordered ``map`` over ``processes`` worker processes (1: this one), for the chunks and then the slices."""
    if processes <= 1 or world.workers <= CHUNK:
        thresholds = gc.get_threshold()
        _init(world, layout, spill_dir)
        try:
            yield map
        finally:
            _SPILL.close()
            gc.unfreeze()
            gc.set_threshold(*thresholds)
        return
    context = multiprocessing.get_context("fork") if hasattr(os, "fork") else multiprocessing.get_context()
    with context.Pool(processes, initializer=_init, initargs=(world, layout, spill_dir)) as pool:
        yield pool.imap


def _add(totals: ChunkResult, result: ChunkResult) -> None:
    totals.events += result.events
    totals.distinct += result.distinct
    totals.malformed_count += result.malformed_count
    totals.slices.update(result.slices)
    totals.incidents.update(result.incidents)
    for name, counter in result.canonical.items():
        totals.canonical[name].update(counter)
    for kind, dims in result.sources.items():
        for name, counter in dims.items():
            totals.sources[kind][name].update(counter)


def _sort_slice(task: tuple[Path, int, Path, int]) -> None:
    """One slice's parts sorted by (arrival, person, event, copy) — the fixed-width key — and
    written without the key at the slice's place in ``events.jsonl``; the parts are removed."""
    spill_dir, s, events_path, offset = task
    _SPILL.close()  # every chunk is written: this process's parts are complete
    lines = []
    for part in sorted(spill_dir.glob(f"{s:05d}.*")):
        lines += part.read_bytes().splitlines()
        part.unlink()
    lines.sort()
    data = b"\n".join([line[_KEY:] for line in lines]) + b"\n"
    with open(events_path, "r+b") as events:
        events.seek(offset)
        events.write(data)
