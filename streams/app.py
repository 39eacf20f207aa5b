"""The Faust application: one per pipeline (``PANTAU_TOPIC_PREFIX``), wired from settings.

``create_pipeline`` builds the app, its topics, codecs and the Redis projection, and lets the
agents in ``agents/`` register themselves on it. The agents only move records between topics,
tables and the pure functions of ``domain``.
"""
from __future__ import annotations

from dataclasses import dataclass

import faust
from mode.supervisors import CrashingSupervisor

from streams import faust_fixes, metrics
from streams.alert_channels import AlertChannels
from streams.codec import AvroCodec
from streams.histories import Histories
from streams.projection import RedisProjection
from streams.settings import Settings
from streams.topics import COMPACTED, TopicNames, TopicSpec


@dataclass
class Pipeline:
    settings: Settings
    app: faust.App
    topics: TopicNames
    events: AvroCodec
    states: AvroCodec
    dead_letters: AvroCodec
    audits: AvroCodec  # identity merges (schemas/identity_merge)
    alerts: AvroCodec
    projection: RedisProjection
    # worker id (bytes) → EventHistory (schemas/event_history): each worker's distinct events.
    workers: faust.types.TableT
    histories: Histories  # reads and writes the values of ``workers``
    # The identity resolver's index and decision log (streams.identity_store), one partition.
    identity: faust.types.TableT
    alert_channels: AlertChannels  # the alerts in Redis: hashes, index sets, stream, severity channels
    alerting: "Alerting | None" = None  # the rules in the stream (streams.alerting), set by create_pipeline


# Each table partition is its own RocksDB (17 of them). faust's defaults give every one a 2 GiB
# block cache and up to 3 × 64 MiB of memtables, so the resident set grew with the state held
# (docs/benchmarks.md, "Memory"); these bound it to ~17 × (2 × 4 + 8) MiB.
STORE_OPTIONS = {"write_buffer_size": 4 << 20, "max_write_buffer_number": 2, "block_cache_size": 8 << 20}


def byte_table(app: faust.App, name: str, partitions: int) -> faust.types.TableT:
    """A table of bytes keys and values (the codecs are ours), in a bounded RocksDB."""
    # A fresh dict each time: faust's store pops its own keys from the one it is given.
    return app.Table(name, default=None, partitions=partitions, key_type=bytes, value_type=bytes,
                     options=dict(STORE_OPTIONS))


def create_app(settings: Settings) -> faust.App:
    return faust.App(
        settings.app_id,
        broker=[f"kafka://{host}" for host in settings.kafka_bootstrap.split(",")],
        store="rocksdb://",
        datadir=str(settings.state_dir),
        processing_guarantee=settings.processing_guarantee,
        topic_partitions=settings.partitions,
        topic_replication_factor=1,
        consumer_auto_offset_reset="earliest",
        # A crashed worker's partitions move to the survivors after this long, not faust's 60 s.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=2.0,
        # A send waits up to 50 ms for others to share its produce request: one request per
        # event cost more CPU than the event's own processing. Safe under at_least_once: faust
        # flushes the producer before it commits offsets.
        producer_linger=0.05,
        producer_max_batch_size=256 * 1024,
        key_serializer="raw",
        value_serializer="raw",
        web_port=settings.web_port,
        # Faust's /table endpoint serves raw table values, personal data included.
        web_tables_enabled=False,
        autodiscover=False,
        # faust restarts a crashed agent in place, past the messages it had taken: they would be
        # lost. Crashing the process instead leaves their offsets uncommitted, for a restart to
        # process again.
        agent_supervisor=CrashingSupervisor,
    )


def create_pipeline(settings: Settings) -> Pipeline:
    from agents import alert_channels, identity, ingest, lifecycle, spikes
    from streams import api
    from streams.alerting import Alerting
    from streams.counts_topic import CountsTopic

    app = create_app(settings)
    faust_fixes.install(app)
    events = AvroCodec.named("partner_event")
    pipeline = Pipeline(
        settings=settings,
        app=app,
        topics=TopicNames(settings.topic_prefix),
        events=events,
        states=AvroCodec.named("worker_state"),
        dead_letters=AvroCodec.named("dead_letter"),
        audits=AvroCodec.named("identity_merge"),
        alerts=AvroCodec.named("alert"),
        projection=RedisProjection(settings),
        workers=byte_table(app, "workers", settings.partitions),
        histories=Histories(events),
        identity=byte_table(app, "identity", 1),
        alert_channels=AlertChannels(settings),
    )
    pipeline.alerting = Alerting(pipeline)
    pipeline.alerting.register()
    ingest.register(pipeline)
    identity.register(pipeline)
    lifecycle.register(pipeline)
    alert_channels.register(pipeline)
    spikes.register(pipeline)
    api.register(pipeline)
    CountsTopic(pipeline).register()
    _track_assignment(pipeline)
    return pipeline


def _track_assignment(pipeline: Pipeline) -> None:
    owned_topics = pipeline.topics.consumed

    @pipeline.app.on_partitions_assigned.connect
    async def on_assigned(app, assigned, **kwargs) -> None:
        metrics.ASSIGNED_PARTITIONS.set(sum(1 for tp in assigned if tp.topic in owned_topics))


def changelog_specs(app: faust.App) -> list[TopicSpec]:
    """The changelog topic of each of the app's tables, as faust names and lays it out."""
    return [
        TopicSpec(table.changelog_topic.get_topic_name(), table.partitions or app.conf.topic_partitions, COMPACTED)
        for table in app.tables.values()
    ]


def run_worker(settings: Settings, loglevel: str = "info") -> None:
    """Run the stream processor until stopped; several may run and share the partitions."""
    import asyncio

    from streams.admin import ensure_topics

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    pipeline = create_pipeline(settings)
    asyncio.run(ensure_topics(settings, changelog_specs(pipeline.app)))
    # Worker.execute_from_commandline creates its own event loop; the projection connects lazily.
    faust.Worker(pipeline.app, loglevel=loglevel).execute_from_commandline()
