"""``pantau simulate --produce`` onto a running pipeline (issue 5): every malformed message
becomes a dead letter with the reason the manifest counts, and every event line is processed
once — applied, or recognised as the retry it is."""
from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections import Counter

import orjson

from streams.worker_process import FINAL_OUTCOMES


def test_simulate_produce_feeds_the_pipeline_exactly_what_the_files_say(make_settings, workers, tmp_path):
    settings = make_settings()
    out = tmp_path / "population"
    env = {**os.environ, "PANTAU_KAFKA_BOOTSTRAP": settings.kafka_bootstrap, "PANTAU_TOPIC_PREFIX": settings.topic_prefix}
    result = subprocess.run(
        [sys.executable, "-m", "streams.cli", "simulate", "--workers", "250", "--seed", "5", "--out", str(out),
         "--produce", "--rate", "retry=0.1"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr

    manifest = orjson.loads((out / "manifest.json").read_bytes())
    malformed = Counter(orjson.loads(line)["reason"] for line in (out / "malformed.jsonl").read_bytes().splitlines())
    assert sum(malformed.values()) == manifest["malformed"] and len(malformed) == 28
    assert all(base64.b64decode(orjson.loads(line)["value_b64"]) for line in (out / "malformed.jsonl").read_bytes().splitlines())

    worker = workers(settings)
    worker.wait_processed(manifest["events"] + manifest["malformed"], timeout=300)
    for reason, count in malformed.items():
        assert worker.counter("pantau_dead_letters", reason=reason) == count, reason
    applied = worker.counter("pantau_events", outcome="applied")
    duplicate = worker.counter("pantau_events", outcome="duplicate")
    assert applied + duplicate == manifest["events"]
    assert applied == manifest["distinct_events"]
    assert sum(worker.counter("pantau_events", outcome=o) for o in FINAL_OUTCOMES) == manifest["events"] + manifest["malformed"]
