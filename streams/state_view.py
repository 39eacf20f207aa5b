"""``pantau state``: one worker's state read back from the Redis projection."""
from __future__ import annotations

import json

import redis
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from domain.masking import lookup_digest
from streams.errors import UserError
from streams.settings import Settings


class NotFound(Exception):
    pass


def read_projected(settings: Settings, worker_id=None, nik=None, passport=None) -> dict[str, str]:
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    try:
        if worker_id is None:
            kind, identifier = ("nik", nik) if nik else ("passport", passport)
            worker_id = client.get(settings.redis_key("lookup", kind, lookup_digest(identifier)))
            if worker_id is None:
                raise NotFound(f"no worker with that {kind.upper() if kind == 'nik' else kind}")
        fields = client.hgetall(settings.redis_key("worker", worker_id))
        if not fields:
            raise NotFound(f"no worker {worker_id}")
        return fields
    finally:
        client.close()


def show_state(settings: Settings, worker_id=None, nik=None, passport=None, as_json=False) -> int:
    try:
        fields = read_projected(settings, worker_id, nik, passport)
    except NotFound as exc:
        raise UserError(str(exc)) from None
    except redis.ConnectionError:
        raise UserError(f"Redis at {settings.redis_url} does not answer (pantau services up starts it)") from None
    if as_json:
        print(json.dumps(fields, indent=2, sort_keys=True))
        return 0
    table = Table.grid(padding=(0, 2))
    for name in sorted(fields):
        table.add_row(f"[bold]{name}[/]", fields[name])
    Console().print(Panel(table, title=f"worker {fields['worker_id']}", subtitle="personal data masked"))
    return 0
