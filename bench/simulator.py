"""Simulator: ``pantau simulate`` writing files (no broker, no Redis), run as a process of its own.

Events/s are the lines of ``events.jsonl`` (partner retries included) over the wall time of the
whole command: start-up, generation, the arrival-order sort and the truth. CPU seconds are the
whole process tree's (its pool processes are waited for, so they count). Memory is read from
``/proc`` every ``SAMPLE_EVERY`` seconds for the command and each of its pool processes: the
largest resident set of any one process; while people are generated, the tree's largest total
in the first and in the last quarter of that phase, which is how a flat memory reads (a
population piling up in memory would make the last quarter larger); and the largest total while
the slices are sorted into arrival order (a slice at a time per process). The population is
removed afterwards. The wall time is read at the first sample after the command exits: up to
``SAMPLE_EVERY`` too long."""
from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from rich.progress import Progress

from bench import proc
from streams.settings import PROJECT_ROOT, Settings

SAMPLE_EVERY = 0.5  # seconds


def scenario(settings: Settings, workdir: Path, progress: Progress, workers: int, processes: int = 2,
             seed: int = 1) -> dict:
    out = workdir / "population"
    command = [str(Path(sys.executable).with_name("pantau")), "simulate", "--workers", str(workers),
               "--seed", str(seed), "--processes", str(processes), "--out", str(out)]
    task = progress.add_task(f"pantau simulate: people ({processes} processes)", total=workers)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    people = LineCounter(out / "truth" / "people.jsonl")
    with (workdir / "simulate.log").open("wb") as log:
        simulator = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)

    def generating() -> bool:
        done = people.count()
        progress.update(task, completed=done)
        return done < workers

    samples = _sample_tree(simulator, generating)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if simulator.returncode != 0:
        raise RuntimeError(f"pantau simulate exited with {simulator.returncode}; see {workdir / 'simulate.log'}")
    manifest = orjson.loads((out / "manifest.json").read_bytes())
    shutil.rmtree(out)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    events = manifest["events"]
    return {"workers": workers, "processes": processes, "events": events, "seconds": round(seconds, 2),
            "events_per_s": round(events / seconds), "cpu_seconds": round(cpu, 2),
            "events_per_cpu_s": round(events / cpu), **memory_figures(*samples)}


def memory_figures(generating: list[list[int]], sorting: list[list[int]]) -> dict:
    """From the resident sets (bytes) of the tree's processes at each sample of each phase: the
    largest of any one process; the largest total in the first and in the last quarter of the
    generation; the largest total while sorting."""
    quarter = max(1, len(generating) // 4)
    totals = [sum(sample) for sample in generating]
    return {"peak_process_rss_mib": _mib(max((rss for sample in generating + sorting for rss in sample), default=None)),
            "generating_first_quarter_rss_mib": _mib(max(totals[:quarter], default=None)),
            "generating_last_quarter_rss_mib": _mib(max(totals[-quarter:], default=None)),
            "sorting_rss_mib": _mib(max((sum(sample) for sample in sorting), default=None))}


def _mib(size: int | None) -> int | None:
    return None if size is None else round(size / 2**20)


def _sample_tree(simulator: subprocess.Popen, generating: Callable[[], bool]) -> tuple[list[list[int]], list[list[int]]]:
    """The resident sets of ``simulator`` and its children, every ``SAMPLE_EVERY`` s until it
    exits: those taken while ``generating()`` says so, and those after."""
    phases: tuple[list[list[int]], list[list[int]]] = ([], [])
    while simulator.poll() is None:
        phase = phases[0] if generating() else phases[1]
        rss = [size for pid in (simulator.pid, *_children(simulator.pid)) if (size := _rss(pid)) is not None]
        if rss:
            phase.append(rss)
        time.sleep(SAMPLE_EVERY)
    return phases


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:  # it has just exited
        return []


def _rss(pid: int) -> int | None:
    try:
        return proc.rss_bytes(pid)
    except (OSError, ValueError):  # exited between listing and reading
        return None


class LineCounter:
    """Lines written so far to a file that only grows (the truth's people, one per line): reads
    only what was added since the last count."""

    def __init__(self, path: Path):
        self.path, self.offset, self.lines = path, 0, 0

    def count(self) -> int:
        try:
            with self.path.open("rb") as file:
                file.seek(self.offset)
                added = file.read()
        except FileNotFoundError:  # not created yet
            return self.lines
        self.offset += len(added)
        self.lines += added.count(b"\n")
        return self.lines
