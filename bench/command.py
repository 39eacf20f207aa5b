"""``pantau bench SCENARIO``: each scenario on a pipeline of its own, removed afterwards; the result
as one JSON line on stdout (the last line), and as a table on stderr unless ``--json``."""
from __future__ import annotations

import asyncio
import json
import shutil
import sys
from collections.abc import Callable
from importlib import import_module

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.isolated import isolated_pipeline
from bench.peer import delete_changelogs
from streams.errors import UserError
from streams.reset import reset
from streams.settings import Settings

# Scenario → the module whose ``scenario(settings, workdir, progress, **options)`` runs it.
SCENARIOS = {"replay": "bench.replay", "latency": "bench.rate_latency", "recovery": "bench.recovery",
             "memory": "bench.memory", "scaleout": "bench.scaleout", "simulator": "bench.simulator"}
OFFLINE = {"simulator"}  # scenarios that use neither the broker nor Redis


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True))


def isolated(run: Callable, progress: Progress, pipeline: bool = True) -> dict:
    """``run(settings, workdir, progress)`` in a working directory of its own, on a fresh pipeline
    whose topics and Redis keys go afterwards (``pipeline=False``: a scenario that uses neither)."""
    settings, workdir = isolated_pipeline()
    try:
        result = run(settings, workdir, progress)
    except (RuntimeError, TimeoutError) as exc:
        raise UserError(f"{exc} (the run's files are kept in {workdir})") from None
    finally:
        if pipeline:
            asyncio.run(reset(settings))
            asyncio.run(delete_changelogs(settings))
    # Removed only after a run that worked: a failed one leaves its logs to read.
    shutil.rmtree(workdir, ignore_errors=True)
    return result


def run_scenario(name: str, options: dict, progress: Progress) -> dict:
    scenario = import_module(SCENARIOS[name]).scenario
    return isolated(lambda settings, workdir, bar: scenario(settings, workdir, bar, **options), progress,
                    pipeline=name not in OFFLINE)


def run_bench(args, settings: Settings) -> int:
    """The ``pantau bench`` command. ``settings`` are the environment's: each scenario derives its own prefix."""
    options = {k: v for k, v in vars(args).items() if k not in ("command", "scenario", "json")}
    if args.scenario == "all":
        from bench.make_bench import run_all

        return run_all(options)
    with progress_bar() as progress:
        result = run_scenario(args.scenario, options, progress)
    if not args.json:
        from bench.report import summary

        print(summary(args.scenario, result), file=sys.stderr)
    print(json.dumps(result))
    return 0
