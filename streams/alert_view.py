"""``pantau alerts``: the alerts in Redis (or, with ``--api URL``, as a worker's API serves them),
as a table coloured by severity or as JSON lines; ``--follow`` then prints each change live.

Following starts from the stream's newest entry id, read *before* listing: a change written
while the list is read is in the stream after that id, so nothing falls between the list and
the live part (a change the list already showed is not printed twice).
"""
from __future__ import annotations

import asyncio
import json
import signal
import urllib.parse
from collections.abc import Callable, Mapping

import redis
from rich.console import Console
from rich.table import Table
from rich.text import Text

from domain.alert_projection import filters_problem, matches, shown
from streams.alert_channels import AlertChannels
from streams.errors import UserError
from streams.settings import Settings
from streams.state_view import get_json

SEVERITY_STYLES = {"CRITICAL": "bold red", "WARNING": "yellow", "INFO": "cyan"}
# One XREAD waits this long for an entry before asking again — and before seeing a Ctrl-C: the
# interrupt only sets a flag, since cancelling a blocked read surfaces as redis' TimeoutError.
BLOCK_MS = 1_000


def style(alert: Mapping) -> str:
    """Coloured by severity; an alert no longer open is dimmed."""
    base = SEVERITY_STYLES.get(alert["severity"], "")
    return base if alert["status"] == "OPEN" else f"{base} dim"


def line(alert: Mapping) -> str:
    """One alert as one line: when it opened, its shown status, severity, rule, subject, message."""
    subject = alert["subject"]
    return (f"{alert['opened_at']}  {shown(alert):<9} {alert['severity']:<8} {alert['rule']}  "
            f"{subject['kind']} {subject['id']}: {alert['message']}")


def show_alerts(settings: Settings, status: str | None = None, rule: str | None = None, subject_id: str | None = None,
                as_json: bool = False, follow: bool = False, api: str | None = None) -> int:
    if follow and api:
        raise UserError("--follow reads the pipeline's Redis stream; leave out --api")
    problem = filters_problem(status, rule)
    if problem:
        raise UserError(problem)
    console = Console(highlight=False, soft_wrap=True)
    if follow:
        def say(alert: Mapping) -> None:
            if as_json:
                print(json.dumps(alert, sort_keys=True, ensure_ascii=False), flush=True)
            else:
                console.print(Text(line(alert), style=style(alert)))

        try:
            asyncio.run(_follow(settings, status, rule, subject_id, say))
        except redis.ConnectionError:
            raise _no_redis(settings) from None
        return 0
    alerts = _from_api(api, status, rule, subject_id) if api else _from_redis(settings, status, rule, subject_id)
    if as_json:
        for alert in alerts:
            print(json.dumps(alert, sort_keys=True, ensure_ascii=False))
    else:
        console.print(_table(alerts))
    return 0


def _from_redis(settings: Settings, status, rule, subject_id) -> list[dict]:
    async def read() -> list[dict]:
        channels = AlertChannels(settings)
        try:
            return await channels.query(status, rule, subject_id)
        finally:
            await channels.close()

    try:
        return asyncio.run(read())
    except redis.ConnectionError:
        raise _no_redis(settings) from None


def _from_api(api: str, status, rule, subject_id) -> list[dict]:
    filters = {name: value for name, value in (("status", status), ("rule", rule), ("subject_id", subject_id)) if value}
    return get_json(api, "/api/alerts?" + urllib.parse.urlencode(filters))["alerts"]


async def _follow(settings: Settings, status, rule, subject_id, say: Callable[[Mapping], None]) -> None:
    """Until Ctrl-C, which ends the current read and returns."""
    interrupted = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, interrupted.set)
    channels = AlertChannels(settings)
    try:
        last = await channels.last_entry()
        listed = {alert["alert_id"]: alert for alert in await channels.query(status, rule, subject_id)}
        for alert in listed.values():
            say(alert)
        while not interrupted.is_set():
            for last, alert in await channels.entries_after(last, BLOCK_MS):
                if listed.pop(alert["alert_id"], None) != alert and matches(alert, status, rule, subject_id):
                    say(alert)
    finally:
        await channels.close()


def _table(alerts: list[dict]) -> Table:
    table = Table("opened (UTC)", "status", "severity", "rule", "subject", "message",
                  title=f"{len(alerts)} alerts", title_justify="left")
    for alert in alerts:
        subject = alert["subject"]
        table.add_row(alert["opened_at"].replace("+00:00", ""), shown(alert), alert["severity"], alert["rule"],
                      f"{subject['kind']} {subject['id']}", alert["message"], style=style(alert))
    return table


def _no_redis(settings: Settings) -> UserError:
    return UserError(f"Redis at {settings.redis_url} does not answer (pantau services up starts it)")
