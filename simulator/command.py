"""``pantau simulate``: options → a population in DIR (with a progress bar) → optionally produced."""
from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from simulator.output import write_population
from simulator.rates import Rates, parse_overrides
from simulator.world import DEFAULT_UNTIL, World


def run_simulate(settings, workers: int, seed: int, out: str, produce: bool, years: int, until: str | None,
                 rate_overrides: list[str], processes: int) -> int:
    end = _until(until) if until else DEFAULT_UNTIL
    rates = Rates().replaced(parse_overrides(rate_overrides))
    world = World(seed, workers, rates, end, years)
    if processes < 1:
        raise ValueError("--processes must be at least 1")
    manifest = write_with_progress(world, Path(out), processes)
    print(f"{manifest['people']} people, {manifest['events']} events ({manifest['distinct_events']} distinct), "
          f"{manifest['malformed']} malformed → {out}", file=sys.stderr)
    if produce:
        from simulator.produce import produce_population

        asyncio.run(produce_population(settings, Path(out)))
    return 0


def write_with_progress(world: World, out: Path, processes: int = 2, console: Console | None = None) -> dict:
    """``write_population`` with a progress bar per phase; returns the manifest."""
    with _progress(console or Console(stderr=True)) as progress:
        tasks = {}

        def advance(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=total)
            progress.update(tasks[phase], completed=done)

        return write_population(world, out, processes, advance)


def _until(text: str) -> date:
    try:
        end = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--until must be a date YYYY-MM-DD, not {text!r}") from None
    if end >= date.today():  # only checked, never used: the output depends on the options alone
        raise ValueError(f"--until {text} is not in the past; every simulated event must have happened")
    return end


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description:>14}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn(), console=console)
