"""``pantau state``: one worker's state read back from the Redis projection."""
from __future__ import annotations

import json

import redis
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from domain.masking import lookup_digest
from domain.vocabulary import EVENT_TYPES
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
    document = json.loads(fields["document"])
    if as_json:
        print(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))
        return 0
    summary = Table.grid(padding=(0, 2))
    for name in sorted(fields.keys() - {"document"}):
        summary.add_row(f"[bold]{name}[/]", fields[name])
    panel = Group(summary, _timeline(document["episodes"])) if document["episodes"] else summary
    Console().print(Panel(panel, title=f"worker {fields['worker_id']}", subtitle="personal data masked"))
    return 0


_EPISODE_COLUMNS = ("country", "sector", "employer_name", "p3mi_id", "departed_on", "placed_on", "contract_end",
                    "returned_on", "return_reason")


def _timeline(episodes: list[dict]) -> Table:
    """One row per episode, oldest first: the worker's journeys abroad."""
    table = Table("#", *(name.replace("_", " ") for name in _EPISODE_COLUMNS), "reported by", title="episodes")
    for number, episode in enumerate(episodes, 1):
        stages = sorted(episode["reported_by"], key=EVENT_TYPES.index)  # in journey order
        reported = "; ".join(f"{stage} {'/'.join(episode['reported_by'][stage])}" for stage in stages)
        table.add_row(str(number), *(episode[name] or "—" for name in _EPISODE_COLUMNS), reported)
    return table
