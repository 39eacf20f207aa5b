"""The HTTP interface every worker serves (DESIGN §9): worker state, lookups, counts, reconciliation,
alerts, health, metrics.

A worker's state lives in one partition of the ``workers`` table, on the worker process that
owns that partition. Faust's table routing finds that process from the table key, hashing it
with the producer's partitioner, as a producer would place it; a request that reaches another
process is forwarded there and answered by the owner. That holds only when the key's hash *is*
the partition the key lives in: the table is written in the partition of the by-worker record
being processed, so the by-worker topic must be keyed by the worker id, the table's key.

Errors are JSON, ``{"error": "..."}``: faust renders its ``WebError`` so, and a middleware
does the same for everything else (unknown routes, a Redis outage, a bug), never a traceback.
"""
from __future__ import annotations

import logging
import re
import time

import redis.asyncio as aioredis
from aiohttp import ClientError
from aiohttp import web as aiohttp_web
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faust.exceptions import SameNode
from faust.web.exceptions import ParseError, ServiceUnavailable
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError

from domain.alert_projection import filters_problem
from domain.counts import ABROAD_DIMENSIONS
from domain.fold import fold
from domain.health import Health, Offsets, Partition, observe, verdict
from domain.masking import lookup_digest
from domain.nik import nik_problem
from domain.projection import INDEXES, LOOKUP_KINDS
from domain.state_document import to_document
from domain.validation import is_passport
from streams import metrics
from streams.app import Pipeline
from streams.reconcile import read_report
from streams.topic_reader import RecordProbe

log = logging.getLogger(__name__)

# As ``domain.lifecycle.worker_id_for`` makes them: "W-" and a 64-bit digest in hex.
WORKER_ID = re.compile(r"W-[0-9a-f]{16}")
# Seconds between offset samples: well inside the stall threshold, and two small broker requests each.
SAMPLE_EVERY = 5.0


def register(pipeline: Pipeline) -> None:
    app = pipeline.app
    app.web.web_app.middlewares.append(_json_errors)
    # decode_responses: lookup values are worker ids, count hashes text; the API serves text.
    redis = aioredis.from_url(pipeline.settings.redis_url, decode_responses=True)
    _worker_pages(pipeline, redis)
    _count_page(pipeline, redis)
    _reconciliation_page(pipeline, redis)
    _alert_page(pipeline)
    _health_page(pipeline, ProgressWatch(pipeline))
    _metrics_page(pipeline)


def _worker_pages(pipeline: Pipeline, redis: aioredis.Redis) -> None:
    app, table, settings = pipeline.app, pipeline.workers, pipeline.settings

    def kept(worker_id: str):
        """The worker's history from this process's table; None when the table holds no such worker."""
        key = worker_id.encode()
        stored = table.get(key)
        return pipeline.histories.read(key, stored) if stored else None

    def document(worker_id: str, history) -> dict:
        return to_document(fold(history.events, worker_id, open_alerts=pipeline.alerting.open_rules(worker_id.encode())))

    async def at_owner(view, request, worker_id: str, answer):
        """What ``app.table_route`` does, for a key that may come from Redis rather than the URL."""
        try:
            return await app.router.route_req(table.name, worker_id, view.web, request)
        except SameNode:
            return answer()
        except ClientError:
            # The owner died or is leaving; the group moves its partitions within the session timeout.
            raise ServiceUnavailable(f"the worker process that owns {worker_id} does not answer; try again") from None

    @app.page("/api/workers/{worker_id}")
    async def worker(view, request, worker_id: str):
        if not WORKER_ID.fullmatch(worker_id):
            raise ParseError(f"not a worker id: {worker_id!r}; expected W- and 16 hex digits")

        def answer():
            history = kept(worker_id)
            if history is None:
                raise view.NotFound(f"no worker {worker_id}")
            if history.moved_to is not None:
                # Merged into another worker by identity resolution: the old id still finds them.
                survivor = history.moved_to
                message = {"error": f"{worker_id} was merged into {survivor}", "moved_to": survivor}
                return view.json(message, status=307, headers={"Location": f"/api/workers/{survivor}"})
            return view.json(document(worker_id, history))

        return await at_owner(view, request, worker_id, answer)

    @app.page("/api/workers")
    async def workers_by_identifier(view, request):
        kind, identifier = _identifier(request.query)
        worker_id = await redis.get(settings.redis_key("lookup", kind, lookup_digest(identifier)))
        # The lookup may still name a worker merged away since: follow to the survivor.
        while worker_id is not None and (survivor := await redis.get(settings.redis_key("moved", worker_id))):
            worker_id = survivor
        if worker_id is None:
            return view.json({"workers": []})

        def answer():
            history = kept(worker_id)
            found = history is not None and history.moved_to is None
            return view.json({"workers": [document(worker_id, history)] if found else []})

        return await at_owner(view, request, worker_id, answer)


def _identifier(query) -> tuple[str, str]:
    """``(kind, identifier)`` from ``?nik=`` or ``?passport=``; ParseError (400) for anything else."""
    given = [(kind, query[kind]) for kind in LOOKUP_KINDS if kind in query]
    if len(given) != 1:
        raise ParseError("give exactly one of nik or passport")
    kind, identifier = given[0]
    problem = nik_problem(identifier) if kind == "nik" else _passport_problem(identifier)
    if problem:
        raise ParseError(f"{kind} {problem}")
    return kind, identifier


def _passport_problem(passport: str) -> str | None:
    return None if is_passport(passport) else "is not 1-2 letters then 6-8 digits"


def _count_page(pipeline: Pipeline, redis: aioredis.Redis) -> None:
    @pipeline.app.page("/api/counts")
    async def counts(view, request):
        by = request.query.get("by")
        if by not in INDEXES:
            raise ParseError(f"by must be one of {', '.join(INDEXES)}")
        counted = await redis.hgetall(pipeline.settings.redis_key("count", by))
        return view.json({"by": by, "counts": {value: int(n) for value, n in sorted(counted.items())}})


def _reconciliation_page(pipeline: Pipeline, redis: aioredis.Redis) -> None:
    @pipeline.app.page("/api/reconciliation")
    async def reconciliation(view, request):
        by = request.query.get("by", "country")
        if by not in ABROAD_DIMENSIONS:
            raise ParseError(f"by must be one of {', '.join(ABROAD_DIMENSIONS)}")
        return view.json(await read_report(redis, pipeline.settings, by))


def _alert_page(pipeline: Pipeline) -> None:
    @pipeline.app.page("/api/alerts")
    async def alerts(view, request):
        query = request.query
        status, rule, subject_id = query.get("status") or None, query.get("rule") or None, query.get("subject_id") or None
        problem = filters_problem(status, rule)
        if problem:
            raise ParseError(problem)
        return view.json({"alerts": await pipeline.alert_channels.query(status, rule, subject_id)})


def _health_page(pipeline: Pipeline, watch: ProgressWatch) -> None:
    app = pipeline.app

    @app.timer(interval=SAMPLE_EVERY)
    async def sample_offsets() -> None:
        await watch.sample()

    @app.page("/healthz")
    async def healthz(view, request):
        result = verdict(watch.health, time.monotonic())
        return view.json(result, status=200 if result["status"] == "ok" else 503)

    @app.on_before_shutdown.connect
    async def close_watch(app, **kwargs) -> None:
        await watch.close()


def _metrics_page(pipeline: Pipeline) -> None:
    @pipeline.app.page("/metrics")
    async def metrics_page(view, request):
        # aiohttp refuses a charset inside content_type; the exposition format is ASCII anyway.
        return view.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])


class ProgressWatch:
    """Samples the offsets of the partitions of consumed topics this process owns.

    Committed offsets come from the broker (what the group has really committed, whoever
    committed it: a partition taken over from another process counts from there), end offsets
    from faust's consumer (the last stable offset under exactly-once, which is what a
    ``read_committed`` consumer can reach).
    """

    def __init__(self, pipeline: Pipeline):
        self._app = pipeline.app
        self._bootstrap = pipeline.settings.kafka_bootstrap
        self._topics = pipeline.topics.consumed
        self._admin: AIOKafkaAdminClient | None = None
        self._probe = RecordProbe(pipeline.settings)
        self.health = Health(sampled_at=time.monotonic())

    async def sample(self) -> None:
        try:
            offsets = await self._offsets()
        except Exception:
            # Whatever failed (the broker, a rebalance), the worker keeps streaming; /healthz
            # turns unhealthy once the samples are older than the stall threshold.
            log.warning("health: could not sample offsets", exc_info=True)
            return
        _export_lag(offsets, revoked=set(self.health.partitions) - set(offsets))
        self.health = observe(self.health, offsets, time.monotonic())

    async def _offsets(self) -> dict[Partition, Offsets]:
        owned = sorted(tp for tp in self._app.consumer.assignment() if tp.topic in self._topics)
        if not owned:
            return {}
        ends = await self._app.consumer.highwaters(*owned)
        answer = await (await self._admin_client()).list_consumer_group_offsets(self._app.conf.id, partitions=owned)
        committed = {tp: _committed_offset(answer.get(tp)) for tp in owned}
        if self._app.in_transaction:
            ends = await self._record_ends(committed, ends)
        return {(tp.topic, tp.partition): Offsets(committed[tp], ends[tp]) for tp in owned}

    async def _record_ends(self, committed: dict, ends: dict) -> dict:
        """Under exactly_once, offsets past the committed one may hold no record at all: the
        last transaction's marker (an idle, fully processed partition is left with a lag of 1
        that never moves), aborted records. Where they hold none, the end is the committed offset."""
        behind = {
            TopicPartition(tp.topic, tp.partition): (committed[tp] or 0, end)
            for tp, end in ends.items()
            if (committed[tp] or 0) < end
        }
        if not behind:
            return ends
        with_records = {(tp.topic, tp.partition) for tp in await self._probe.with_records(behind)}
        markers_only = {(tp.topic, tp.partition) for tp in behind} - with_records
        return {tp: committed[tp] or 0 if (tp.topic, tp.partition) in markers_only else end for tp, end in ends.items()}

    async def _admin_client(self) -> AIOKafkaAdminClient:
        if self._admin is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
            await admin.start()
            self._admin = admin
        return self._admin

    async def close(self) -> None:
        if self._admin is not None:
            await self._admin.close()
        await self._probe.close()


def _committed_offset(committed) -> int | None:
    # The broker answers -1 for a partition the group never committed.
    return committed.offset if committed is not None and committed.offset >= 0 else None


def _export_lag(offsets: dict[Partition, Offsets], revoked: set[Partition]) -> None:
    for topic, partition in revoked:
        metrics.CONSUMER_LAG.remove(topic, str(partition))  # its lag is another process's to report now
    for (topic, partition), sample in offsets.items():
        metrics.CONSUMER_LAG.labels(topic, str(partition)).set(sample.lag)


@aiohttp_web.middleware
async def _json_errors(request, handler):
    try:
        return await handler(request)
    except aiohttp_web.HTTPException as exc:
        if exc.status < 400:
            raise
        # aiohttp's own answers: no such route (404), method not allowed (405).
        return aiohttp_web.json_response({"error": exc.reason.lower()}, status=exc.status)
    except RedisError:
        log.warning("api: Redis does not answer", exc_info=True)
        return aiohttp_web.json_response({"error": "the Redis projection does not answer"}, status=503)
    except Exception:
        log.exception("api: %s %s failed", request.method, request.path)
        return aiohttp_web.json_response({"error": "internal error"}, status=500)
