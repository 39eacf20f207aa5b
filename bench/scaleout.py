"""Scale-out: the same backlog through one worker process, then through two sharing the partitions.

Two pipelines of the same partition count (``--partitions``, 8 by default) are preloaded with
the same events (``bench.replay.replay_events``); one is timed with one worker process, the other
with two started together (each its own data dir and web port), until together they have finished
every event (``bench.replay.time_pantau``). The ratio is events/s with two over events/s with one.
Identity resolution reads one single-partition topic (``TopicNames.validated``): one process
does all of it, whichever the count of processes.
"""
from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from rich.progress import Progress

from bench.replay import preload, replay_events, time_pantau
from streams.reset import reset
from streams.settings import Settings
from streams.ports import free_port


def scenario(settings: Settings, workdir: Path, progress: Progress, events: int, partitions: int) -> dict:
    sent, distinct = replay_events(events)
    one = replace(settings, partitions=partitions)
    two = replace(one, topic_prefix=f"{settings.topic_prefix}-two", data_dir=workdir / "two-a")
    pair = [two, replace(two, data_dir=workdir / "two-b", web_port=free_port())]
    try:
        for each in (one, two):
            preload(each, workdir, sent)
        single = time_pantau(one, workdir / "one", events, distinct, progress)
        double = time_pantau(pair, workdir / "two", events, distinct, progress)
    finally:
        asyncio.run(reset(two))  # the first pipeline is the caller's to remove
    return {"partitions": partitions, "events": events, "one": single, "two": double,
            "ratio": round(double["events_per_s"] / single["events_per_s"], 3),
            "ratio_cpu": round(double["events_per_cpu_s"] / single["events_per_cpu_s"], 3)}
