"""``pantau reconcile``: per source kind against canonical, and why they differ (DESIGN §6).

Reads the sums the Redis projection keeps (``recon:{dimension}``; ``streams.projection``), so it
works from any machine whether or not a worker runs there. The rows and their causes are
``domain.reconciliation``'s; this module only reads them and renders a table, JSON, CSV or a chart.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import redis
import redis.asyncio as aioredis
from rich.console import Console
from rich.table import Table

from domain.counts import ABROAD_DIMENSIONS
from domain.reconciliation import CAUSES, report, unflat
from domain.source_records import SOURCES
from streams.errors import UserError
from streams.settings import Settings

TOP = 15


def read_summed(settings: Settings, dimensions=ABROAD_DIMENSIONS) -> Counter:
    """The summed contributions of the dimensions, as the projection keeps them."""
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    try:
        summed = Counter()
        for dimension in dimensions:
            summed.update(unflat(dimension, client.hgetall(settings.redis_key("recon", dimension))))
        return summed
    except redis.ConnectionError:
        raise UserError(f"Redis at {settings.redis_url} does not answer (pantau services up starts it)") from None
    finally:
        client.close()


async def read_report(client: aioredis.Redis, settings: Settings, by: str) -> dict:
    """The report of one dimension, for the HTTP API (a client with decoded responses)."""
    summed = unflat(by, await client.hgetall(settings.redis_key("recon", by)))
    return report(summed, by, _now())


async def read_snapshot(client: aioredis.Redis, settings: Settings) -> tuple[Counter, dict[str, str]]:
    """The sums of every abroad dimension and the canonical counts by status (``count:status``), in one
    MULTI/EXEC: all from one moment between two of the projection's writes, each atomic."""
    async with client.pipeline(transaction=True) as pipe:
        for dimension in ABROAD_DIMENSIONS:
            pipe.hgetall(settings.redis_key("recon", dimension))
        pipe.hgetall(settings.redis_key("count", "status"))
        *sums, by_status = await pipe.execute()
    summed = Counter()
    for dimension, fields in zip(ABROAD_DIMENSIONS, sums):
        summed.update(unflat(dimension, fields))
    return summed, by_status


def reconciliation_report(settings: Settings, by: str) -> dict:
    """The DESIGN §6 document of one dimension, read from Redis now."""
    return report(read_summed(settings, (by,)), by, _now())


def run_reconcile(settings: Settings, by: str, output: str, chart: str | None, top: int) -> int:
    """The CLI command: ``output`` is table, json or csv."""
    document = reconciliation_report(settings, by)
    if output == "json":
        print(json.dumps(document, indent=2))
    elif output == "csv":
        sys.stdout.write(to_csv(document))
    else:
        print_table(document, Console(), top)
    if chart:
        write_chart(document, Path(chart), top)
        print(f"chart of the top {top} by {by} → {chart}", file=sys.stderr)
    return 0


def to_csv(document: dict) -> str:
    """One line per (value, source kind): count, canonical, difference, each cause."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([document["by"], "source", "count", "canonical", "difference", *CAUSES])
    for row in document["rows"]:
        for kind, source in row["sources"].items():
            writer.writerow([row["key"], kind, source["count"], row["canonical"], source["count"] - row["canonical"],
                             *(source["causes"][cause] for cause in CAUSES)])
    return out.getvalue()


def print_table(document: dict, console: Console, top: int = TOP) -> None:
    by, shown = document["by"], document["rows"][:top]
    table = Table(title=f"reconciliation by {by}: workers abroad, each source kind's own count against canonical, "
                        f"and the causes of the difference (top {len(shown)} of {len(document['rows'])})",
                  title_justify="left")
    for column in (by, "canonical", "source", "count", "Δ", *(cause.replace("_", " ").lower() for cause in CAUSES)):
        table.add_column(column, justify="left" if column in (by, "source") else "right")
    for row in shown:
        for n, (kind, source) in enumerate(row["sources"].items()):
            causes = [f"{source['causes'][cause]:+,}" if source["causes"][cause] else "·" for cause in CAUSES]
            table.add_row(row["key"] if n == 0 else "", f"{row['canonical']:,}" if n == 0 else "", kind,
                          f"{source['count']:,}", f"{source['count'] - row['canonical']:+,}", *causes,
                          end_section=n == len(row["sources"]) - 1)
    console.print(table)
    overlap = Table(title="abroad workers by the source kinds that saw them", title_justify="left")
    overlap.add_column("seen by")
    overlap.add_column("workers", justify="right")
    for combination, n in document["overlap"].items():
        overlap.add_row(combination, f"{n:,}")
    console.print(overlap)


def write_chart(document: dict, path: Path, top: int = TOP) -> None:
    """A grouped bar chart (PNG): canonical and each source kind's count for the top values."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on a server
    from matplotlib import pyplot

    shown = document["rows"][:top]
    if not shown:
        raise UserError(f"nothing to chart: no workers abroad by {document['by']} in this projection")
    series = {"canonical": [row["canonical"] for row in shown],
              **{kind: [row["sources"][kind]["count"] for row in shown] for kind in SOURCES}}
    width = 0.8 / len(series)
    figure, axes = pyplot.subplots(figsize=(max(8, len(shown) * 0.9), 5), layout="constrained")
    for n, (label, values) in enumerate(series.items()):
        axes.bar([i + (n - (len(series) - 1) / 2) * width for i in range(len(shown))], values, width, label=label)
    axes.set_xticks(range(len(shown)), [row["key"] for row in shown])
    axes.set_ylabel("workers abroad")
    axes.set_title(f"Workers abroad by {document['by']}\neach source kind's own count against canonical, "
                   f"as of {document['as_of'][:16]}")
    axes.legend()
    figure.savefig(path, dpi=120)
    pyplot.close(figure)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
