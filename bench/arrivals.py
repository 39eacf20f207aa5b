"""When each worker's state, and each worker's alert, first reached Redis — heard, not polled.

A thread subscribes to Redis keyspace notifications for the pipeline's worker hashes (the
projection's script writes each state with HSET) and to the alert severity channels (the alert
channels' script PUBLISHes each announced alert), and stamps each worker's first of each with
``time.monotonic()`` as it is read. Keyspace notifications are off by default: the flags needed
are added for the run and the server's setting is put back afterwards."""
from __future__ import annotations

import json
import threading
import time

import redis

from domain.alerts import CRITICAL, INFO, WARNING
from streams.alert_channels import AlertChannels
from streams.settings import Settings

_FLAGS = "Kh"  # keyspace events (K) of hash commands (h)


class Arrivals:
    def __init__(self, settings: Settings):
        self._client = redis.Redis.from_url(settings.redis_url)
        self._previous = self._client.config_get("notify-keyspace-events")["notify-keyspace-events"]
        self._client.config_set("notify-keyspace-events", "".join(sorted(set(self._previous) | set(_FLAGS))))
        self._worker_prefix = f"__keyspace@*__:{settings.redis_key('worker', '')}"
        channels = AlertChannels(settings)
        self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.psubscribe(self._worker_prefix + "*")
        self._pubsub.subscribe(*(channels.channel(severity) for severity in (INFO, WARNING, CRITICAL)))
        self.states: dict[str, float] = {}  # worker id → when its state was first written
        self.alerts: dict[str, float] = {}  # worker id → when an alert about it was first announced
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        while not self._stop.is_set():
            message = self._pubsub.get_message(timeout=0.1)
            if message is None:
                continue
            now = time.monotonic()
            if message["type"] == "pmessage":
                worker_id = message["channel"].decode().rsplit(":", 1)[1]
                self.states.setdefault(worker_id, now)
            elif message["type"] == "message":
                subject = json.loads(message["data"])["subject"]
                self.alerts.setdefault(subject["id"], now)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._pubsub.close()
        self._client.config_set("notify-keyspace-events", self._previous)
        self._client.close()
