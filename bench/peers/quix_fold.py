"""The peer: pantau's validate → per-worker fold → state topic, written with Quix Streams 3.x.

Consumes the ingest topics (one dataframe over all three: they are co-partitioned by the
worker key the publisher gives every event), decodes and validates each event with pantau's own
code (``streams.ingest.read_event``: ``streams.codec`` and ``domain.validation``), keeps each
worker's events in Quix's RocksDB state (with its changelog topic) keyed by that worker key, folds
them with ``domain.fold.fold`` and produces the state, Avro-encoded as pantau's, to a state topic:
one state per valid event, as pantau writes one per event a batch touched.

Less than pantau does per event: no identity resolution (the partner's key is the worker), no
rules or alerts, no counts, no Redis projection, no dead-letter topic (an invalid event is
dropped). Run as its own process by ``bench.peer``:

    python -m bench.peers.quix_fold --bootstrap localhost:9092 --group G --state-dir DIR \
        --output TOPIC INGEST_TOPIC...
"""
from __future__ import annotations

import argparse
import pickle
import sys
from datetime import datetime, timezone
from functools import reduce

from quixstreams import Application
from quixstreams.state.rocksdb import RocksDBOptions

from domain.fold import fold
from streams.codec import AvroCodec
from streams.ingest import read_event

EVENTS = "events"  # the state key (under each message key) of the worker's events, as received


def folder():
    """The stateful step: a worker's state after this event, or None for an invalid event."""
    events, states = AvroCodec.named("partner_event"), AvroCodec.named("worker_state")

    def fold_event(value: bytes, key: bytes, timestamp: int, headers, state) -> bytes | None:
        event, problem = read_event(events, value, datetime.now(timezone.utc))
        if problem is not None:
            return None
        kept = state.get(EVENTS, [])
        if value not in kept:  # a retry sent byte for byte adds nothing; fold() dedupes the rest by event id
            kept = [*kept, value]
            state.set(EVENTS, kept)
        return states.encode(fold([events.decode(data) for data in kept], key.decode()))

    return fold_event


def build(args: argparse.Namespace) -> Application:
    app = Application(
        broker_address=args.bootstrap, consumer_group=args.group, auto_offset_reset="earliest",
        state_dir=args.state_dir, processing_guarantee=args.guarantee, loglevel="WARNING",
        # A worker's events are kept as the Avro bytes they arrived in (as pantau's table does):
        # Quix's default JSON state serializer cannot hold bytes.
        rocksdb_options=RocksDBOptions(dumps=pickle.dumps, loads=pickle.loads),
    )
    frames = [app.dataframe(app.topic(name, value_deserializer="bytes")) for name in args.topics]
    sdf = reduce(lambda left, right: left.concat(right), frames)
    sdf = sdf.apply(folder(), stateful=True, metadata=True).filter(lambda state: state is not None)
    sdf.to_topic(app.topic(args.output, value_serializer="bytes", key_serializer="bytes"))
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers.quix_fold", description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--group", required=True, help="the consumer group; also names Quix's changelog topics")
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--guarantee", choices=("at-least-once", "exactly-once"), default="at-least-once")
    parser.add_argument("--output", required=True, help="the state topic")
    parser.add_argument("topics", nargs="+", help="the ingest topics")
    build(parser.parse_args(argv)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
