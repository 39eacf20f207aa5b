"""``pantau demo`` end to end, small: its own pipeline, every message accounted for, the score."""
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta

from streams.demo import DEMO_SUFFIX
from streams.settings import PROJECT_ROOT


def test_demo_consumes_everything_and_reports_the_summary_and_the_score(make_settings):
    settings = make_settings()
    # The demo's own pipeline, so that it is deleted after the test too.
    make_settings(topic_prefix=settings.topic_prefix + DEMO_SUFFIX, data_dir=settings.data_dir)
    env = {**os.environ, "PANTAU_TOPIC_PREFIX": settings.topic_prefix, "PANTAU_DATA_DIR": str(settings.data_dir),
           "PANTAU_WEB_PORT": str(settings.web_port)}

    done = subprocess.run([sys.executable, "-m", "streams.cli", "demo", "--workers", "150", "--seed", "5", "--json"],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)

    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)
    events = summary["events_in"]
    assert events["applied"] + events["duplicate"] + events["dead_letter"] == events["messages"]
    assert events["applied"] == events["distinct_valid"] and events["dead_letter"] == events["malformed"]
    population = settings.data_dir / f"{settings.topic_prefix}-demo-population-150-seed5"
    malformed = [json.loads(line) for line in (population / "malformed.jsonl").read_text().splitlines()]
    assert summary["dead_letters"] == dict(Counter(m["reason"] for m in malformed))
    score = summary["score"]
    assert score["records"]["missing"] == 0 and score["records"]["truth"] == events["distinct_valid"]
    assert score["identity"]["pairwise_precision"] == 1.0  # strong keys only, so far: nothing wrongly joined
    assert sum(summary["workers_by_status"].values()) >= summary["population"]["people"]
    assert set(score["counts"]) == {"country", "province", "sector", "status"}
    # Timed alerts are judged where the replayed history's event time ends, not at today's date.
    times = [datetime.fromisoformat(json.loads(line)["occurred_at"]) for line in (population / "events.jsonl").read_text().splitlines()]
    assert min(times) < datetime.fromisoformat(score["as_of"]) <= max(times) - timedelta(hours=1)
