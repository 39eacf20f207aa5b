"""``pantau state``: one worker's state read back from the Redis projection, or with ``--api URL``
asked of a worker's HTTP API (DESIGN §9), which folds it from the worker's events."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

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
                raise NotFound(_no_worker_with(kind))
        fields = client.hgetall(settings.redis_key("worker", worker_id))
        # A worker merged into another one (identity resolution) points at it; merges can chain.
        while not fields and (survivor := client.get(settings.redis_key("moved", worker_id))) is not None:
            worker_id = survivor
            fields = client.hgetall(settings.redis_key("worker", worker_id))
        if not fields:
            raise NotFound(f"no worker {worker_id}")
        return fields
    finally:
        client.close()


def read_from_api(api: str, worker_id=None, nik=None, passport=None) -> dict:
    """The worker's document (DESIGN §4, masked) as a worker's HTTP API serves it."""
    if worker_id is not None:
        return get_json(api, f"/api/workers/{urllib.parse.quote(worker_id)}")
    kind, identifier = ("nik", nik) if nik else ("passport", passport)
    found = get_json(api, "/api/workers?" + urllib.parse.urlencode({kind: identifier}))["workers"]
    if not found:
        raise NotFound(_no_worker_with(kind))
    return found[0]


def get_json(api: str, path: str) -> dict:
    """GET ``path`` of a worker's API as JSON; its JSON errors become one-line failures."""
    try:
        with urllib.request.urlopen(api.rstrip("/") + path, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        # The API's errors are JSON with a message meant for people (400, 404, 503).
        message = json.loads(error.read())["error"]
        raise (NotFound if error.code == 404 else UserError)(message) from None
    except urllib.error.URLError:
        raise UserError(f"no worker API answers at {api} (pantau worker serves it)") from None


def _no_worker_with(kind: str) -> str:
    return f"no worker with that {kind.upper() if kind == 'nik' else kind}"


def show_state(settings: Settings, worker_id=None, nik=None, passport=None, as_json=False, api=None) -> int:
    try:
        if api:
            document = read_from_api(api, worker_id, nik, passport)
            summary = _summary_of(document)
        else:
            fields = read_projected(settings, worker_id, nik, passport)
            document = json.loads(fields["document"])
            summary = {name: fields[name] for name in fields.keys() - {"document"}}
    except NotFound as exc:
        raise UserError(str(exc)) from None
    except redis.ConnectionError:
        raise UserError(f"Redis at {settings.redis_url} does not answer (pantau services up starts it)") from None
    if as_json:
        print(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))
        return 0
    table = Table.grid(padding=(0, 2))
    for name in sorted(summary):
        table.add_row(f"[bold]{name}[/]", summary[name])
    panel = Group(table, _timeline(document["episodes"])) if document["episodes"] else table
    Console().print(Panel(panel, title=f"worker {document['worker_id']}", subtitle="personal data masked"))
    return 0


def _summary_of(document: dict) -> dict[str, str]:
    """The document's facts as text: episodes have their own table, other records are counted."""
    facts = {name: value for name, value in {**document, **document["identifiers"]}.items() if value not in (None, "", [])}
    for nested in ("identifiers", "current_episode", "episodes"):
        facts.pop(nested, None)
    return {name: _text(value) for name, value in facts.items()}


def _text(value) -> str:
    if not isinstance(value, list):
        return str(value)
    return ", ".join(value) if all(isinstance(item, str) for item in value) else str(len(value))


def _timeline(episodes: list[dict]) -> Table:
    """One row per episode, oldest first: where, with whom, and the journey's dates."""
    table = Table("#", "where", "employer · P3MI", "journey", "reported by", title="episodes", expand=True)
    for number, episode in enumerate(episodes, 1):
        stages = sorted(episode["reported_by"], key=EVENT_TYPES.index)  # in journey order
        journey = "  ".join(
            f"{label} {episode[field]}"
            for label, field in (("departed", "departed_on"), ("placed", "placed_on"),
                                 ("until", "contract_end"), ("returned", "returned_on"))
            if episode[field]
        ) + (f" ({episode['return_reason']})" if episode["return_reason"] else "")
        table.add_row(
            str(number),
            " ".join(filter(None, (episode["country"], episode["sector"]))) or "—",
            " · ".join(filter(None, (episode["employer_name"], episode["p3mi_id"]))) or "—",
            journey or "not departed",
            "; ".join(f"{stage} {'/'.join(episode['reported_by'][stage])}" for stage in stages),
        )
    return table
