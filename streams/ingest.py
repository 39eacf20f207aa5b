"""Reading one ingest-topic message: Avro bytes to a validated in-memory event, or the reason it is bad."""
from __future__ import annotations

from datetime import datetime, timedelta

from domain.validation import MESSAGE_TOO_LARGE, WRONG_TOPIC, Problem, first_problem
from streams.codec import AvroCodec, DecodeError

DEFAULT_MAX_FUTURE_SKEW = timedelta(minutes=10)

# One event is a few hundred bytes. The cap bounds the work a corrupt or hostile message can
# cause: fastavro converts a decimal's bytes to Decimal in quadratic time (a 1 MB amount
# takes ~2 min, 16 KiB ~30 ms), and Kafka's default message limit is 1 MB.
MAX_MESSAGE_BYTES = 16 * 1024
MAX_MESSAGE_CHARS = 300


def read_event(
    codec: AvroCodec,
    data: bytes | None,
    now: datetime,
    max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW,
    max_bytes: int = MAX_MESSAGE_BYTES,
    topic_source_kind: str | None = None,
) -> tuple[dict | None, Problem | None]:
    """Decode and validate one message value; never raises for any bytes (or ``None``).

    Returns ``(event, None)`` for a valid event; ``(None, problem)`` when the bytes are not
    read (reason MESSAGE_TOO_LARGE, NOT_AVRO, UNKNOWN_SCHEMA or MALFORMED_AVRO); and
    ``(event, problem)`` when they decode but the event is invalid (``problem`` is the first
    of ``domain.validation.validate``'s; the event is returned too, e.g. to label the dead
    letter with its source). With ``topic_source_kind``, a valid event of another source kind
    is WRONG_TOPIC: each kind of partner publishes on its own ingest topic.
    """
    if isinstance(data, (bytes, bytearray, memoryview)) and len(data) > max_bytes:
        return None, Problem(
            MESSAGE_TOO_LARGE, f"message of {len(data)} bytes is larger than the {max_bytes}-byte limit for one event"
        )
    try:
        event = codec.decode(data)
    except DecodeError as exc:
        return None, Problem(exc.reason, _one_line(exc.message))
    problem = first_problem(event, now, max_future_skew)
    if problem is None and topic_source_kind is not None and event["source"]["kind"] != topic_source_kind:
        problem = Problem(
            WRONG_TOPIC,
            f"a {event['source']['kind']} event was published on the {topic_source_kind} ingest topic; "
            "publish it on the ingest topic of its own source kind",
        )
    return event, problem


def _one_line(message: str) -> str:
    """Decoder messages quote library exceptions: keep them one bounded line."""
    line = " ".join(str(message).split())
    return line if len(line) <= MAX_MESSAGE_CHARS else line[: MAX_MESSAGE_CHARS - 1] + "…"
