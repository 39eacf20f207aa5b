"""A benchmark result as one JSON line: what ran, where, with which versions, and its figures."""
from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import datetime
from importlib import metadata
from pathlib import Path

from streams.settings import PROJECT_ROOT

RESULTS_DIR = PROJECT_ROOT / "bench" / "results"
PACKAGES = ("faust-streaming", "aiokafka", "fastavro", "quixstreams", "confluent-kafka", "redis")


def record(scenario: str, params: dict, figures: dict, machine: dict, versions: dict, at: datetime) -> dict:
    return {"scenario": scenario, "at": at.isoformat(timespec="seconds"), "params": params, "figures": figures,
            "machine": machine, "versions": versions}


def append(path: Path, result: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as out:
        out.write(json.dumps(result, sort_keys=True) + "\n")


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def memory_gib_of(meminfo_text: str) -> float:
    for line in meminfo_text.splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 2**20, 1)
    raise ValueError("no MemTotal line")


def machine() -> dict:
    """Cores, memory and the load average when the scenario ended: how busy the shared machine was."""
    return {"cores": os.cpu_count(), "memory_gib": memory_gib_of(Path("/proc/meminfo").read_text()),
            "load_1m": round(os.getloadavg()[0], 2), "cpu": platform.processor() or platform.machine()}


def versions() -> dict:
    found = {"python": platform.python_version(), "commit": _commit()}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def _commit() -> str | None:
    try:
        # "-dirty" when the working tree differs from the commit: the figures are not that commit's alone.
        return subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=7"], cwd=PROJECT_ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
