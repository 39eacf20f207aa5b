"""``pantau alerts --follow`` in a child process, for the integration tests and the latency benchmark."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time

from streams.settings import PROJECT_ROOT, Settings


class Follower:
    """The follower's stdout lines arrive on a queue, each with the monotonic time it was read."""

    def __init__(self, settings: Settings, *args: str, **env: str):
        environment = {**os.environ, "PANTAU_REDIS_URL": settings.redis_url,
                       "PANTAU_TOPIC_PREFIX": settings.topic_prefix, **env}
        self.process = subprocess.Popen([sys.executable, "-m", "streams.cli", "alerts", "--follow", *args],
                                        cwd=PROJECT_ROOT, env=environment, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for text in self.process.stdout:
            self.lines.put((time.monotonic(), text.rstrip("\n")))

    def next_arrival(self, timeout: float = 60.0) -> tuple[float, str]:
        """(when it was read, the next line); waits long: a hung follower must fail, not hang."""
        return self.lines.get(timeout=timeout)

    def next_line(self) -> str:
        return self.next_arrival()[1]

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C; the exit status and stderr."""
        self.process.send_signal(signal.SIGINT)
        status = self.process.wait(30)
        return status, self.process.stderr.read()
