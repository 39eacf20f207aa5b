"""A ``pantau worker`` in a child process, watched through its ``/metrics`` page.

The demo, the integration tests and the benchmarks all need the same things: start a worker
with some environment, know when it has processed what was sent, stop or kill it.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from streams.settings import Settings

# Outcomes that end an event's trip through the pipeline.
FINAL_OUTCOMES = ("applied", "duplicate", "dead_letter")


class WorkerProcess:
    def __init__(self, settings: Settings, log_path: Path, extra_env: dict[str, str] | None = None):
        self.settings = settings
        self.log_path = log_path
        self._env = {
            **os.environ,
            "PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
            "PANTAU_REDIS_URL": settings.redis_url,
            "PANTAU_TOPIC_PREFIX": settings.topic_prefix,
            "PANTAU_DATA_DIR": str(settings.data_dir),
            "PANTAU_WEB_PORT": str(settings.web_port),
            "PANTAU_PARTITIONS": str(settings.partitions),
            "PANTAU_PROCESSING_GUARANTEE": settings.processing_guarantee,
            **(extra_env or {}),
        }
        self._process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "streams.cli", "worker"], env=self._env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        return self._process.pid

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def metrics_text(self) -> str | None:
        url = f"http://127.0.0.1:{self.settings.web_port}/metrics"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            return None

    def counter(self, name: str, **labels: str) -> float:
        """Sum of a counter's samples whose labels include ``labels`` (0 when not served yet)."""
        return self.sample(f"{name}_total", **labels)

    def sample(self, name: str, **labels: str) -> float:
        """Sum of the samples named ``name`` whose labels include ``labels`` (0 when not served yet)."""
        return sum(value for found, value in self.samples(name) if labels.items() <= found.items())

    def samples(self, name: str) -> list[tuple[dict[str, str], float]]:
        """Every sample named ``name`` with its labels, from one look at the metrics page (none when
        not served yet)."""
        return [(sample.labels, sample.value)
                for family in text_string_to_metric_families(self.metrics_text() or "")
                for sample in family.samples if sample.name == name]

    def outcomes(self) -> dict[str, int]:
        """Events counted by outcome (``pantau_events_total``), from one look at the metrics page."""
        counts: dict[str, int] = {}
        for labels, value in self.samples("pantau_events_total"):
            counts[labels["outcome"]] = counts.get(labels["outcome"], 0) + int(value)
        return counts

    def consumer_lag(self) -> dict[tuple[str, int], float]:
        """``pantau_consumer_lag`` by (topic, partition): the partitions this process owns, as of its
        last health sample."""
        return {(labels["topic"], int(labels["partition"])): value for labels, value in self.samples("pantau_consumer_lag")}

    def processed(self) -> int:
        outcomes = self.outcomes()
        return sum(outcomes.get(outcome, 0) for outcome in FINAL_OUTCOMES)

    def merge_messages(self) -> Counter:
        """``pantau_merge_messages_total`` by (kind, side), from one look at the metrics page."""
        counts = Counter()
        for labels, value in self.samples("pantau_merge_messages_total"):
            counts[labels["kind"], labels["side"]] += int(value)
        return counts

    def merges_in_flight(self) -> int:
        """Merge messages this process sent that it has not received yet: an event counted where it
        was first applied may still be on its way to the survivor's state."""
        counts = self.merge_messages()
        kinds = {kind for kind, _ in counts}
        return sum(max(0, counts[kind, "sent"] - counts[kind, "received"]) for kind in kinds)

    def wait_processed(self, count: int, timeout: float = 120.0, on_progress=None) -> int:
        """Wait until this process has finished ``count`` events, none of them still moving to a merge's
        survivor; returns how many it finished. Fails when it finishes none for ``timeout`` seconds: a
        slow machine is not a stuck worker."""
        deadline = time.monotonic() + timeout
        done = 0
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"worker exited with {self._process.returncode}; see {self.log_path}")
            now_done = self.processed()
            if now_done > done:
                done, deadline = now_done, time.monotonic() + timeout
            if on_progress:
                on_progress(done)
            if done >= count and not self.merges_in_flight():
                return done
            time.sleep(0.5)
        raise TimeoutError(f"worker processed {done} of {count} events ({self.merges_in_flight()} merge messages in "
                           f"flight), none in the last {timeout:.0f} s; see {self.log_path}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
        if not self.alive():
            return
        self._process.send_signal(sig)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
