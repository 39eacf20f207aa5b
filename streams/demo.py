"""``pantau demo`` / ``make demo``: the pipeline end to end on a small sample, then what it found."""
from __future__ import annotations

import asyncio
import json

from rich.console import Console

from streams import services
from streams.publish import publish
from streams.settings import PROJECT_ROOT, Settings
from streams.state_view import read_projected, show_state
from streams.worker_process import WorkerProcess

SAMPLE = PROJECT_ROOT / "deploy" / "sample" / "events.jsonl"


def run_demo(settings: Settings, as_json: bool = False) -> int:
    console = Console(stderr=as_json, soft_wrap=True)
    services.up(settings, echo=console.print)
    report = asyncio.run(publish(settings, str(SAMPLE)))
    console.print(f"published {report.sent} partner events from {SAMPLE.relative_to(PROJECT_ROOT)}")
    worker = WorkerProcess(settings, PROJECT_ROOT / ".cache" / "demo-worker.log").start()
    try:
        with console.status("worker processing…") as status:
            worker.wait_processed(report.sent, timeout=180, on_progress=lambda n: status.update(f"worker processed {n}/{report.sent}"))
        outcomes = {o: int(worker.counter("pantau_events", outcome=o)) for o in ("applied", "duplicate", "dead_letter")}
    finally:
        worker.stop()
    nik = json.loads(SAMPLE.read_text().splitlines()[0])["worker"]["nik"]
    if as_json:
        print(json.dumps({"processed": sum(outcomes.values()), "outcomes": outcomes,
                          "worker": json.loads(read_projected(settings, nik=nik)["document"])}, indent=2))
        return 0
    console.print(
        f"processed {sum(outcomes.values())} events: {outcomes['applied']} applied, "
        f"{outcomes['duplicate']} duplicates (partner retries or re-runs), {outcomes['dead_letter']} dead letters"
    )
    console.print("one worker's state, read back from Redis:")
    return show_state(settings, nik=nik)
