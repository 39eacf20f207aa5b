"""The alert channels in Redis: each alert's hash and index sets, the capped stream and the
severity channels that live watchers follow, and the reads behind ``/api/alerts`` and ``pantau alerts``.

``domain.alert_projection`` decides what an alert looks like in Redis, which record of an id wins
and when a change is announced (and documents the key layout); this module reads and writes it.
A write is optimistic: read the stored records of a batch's alerts (one round trip), decide
each in Python, then apply each with a script that first checks the stored record is still the
one read — so two writers (a partition changing owner, ``pantau redis rebuild`` beside a worker)
never interleave, and a conflicting alert is read and decided again.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from domain.problems import Problem
from domain.validation import INVALID_FIELD

import redis.asyncio as aioredis

from domain.alert_projection import (
    record_problem,
    NAMESPACE,
    STREAM_MAXLEN,
    Update,
    entry,
    in_order,
    latest,
    matches,
    query_sets,
    update,
)
from streams.codec import AvroCodec, DecodeError
from streams.redis_keys import unlink_under
from streams.settings import Settings

# KEYS[1]    the alert's hash       KEYS[2]   the stream      KEYS[3..]  sets to leave, then sets to join
# ARGV[1]    the stored record the writer decided on ('' for none)      ARGV[2]   the alert id
# ARGV[3]    the new hash, a JSON object of strings                     ARGV[4]   how many sets to leave
# ARGV[5]    the severity's channel, '' to announce nothing             ARGV[6]   stream entry: shown status
# ARGV[7]    stream entry and channel message: the alert as JSON        ARGV[8]   the stream's MAXLEN (~)
# Returns 1 when written, 0 when the stored record is no longer the one read: decide again.
APPLY_ALERT = """
if (redis.call('HGET', KEYS[1], 'record') or '') ~= ARGV[1] then return 0 end
local items = {}
for field, value in pairs(cjson.decode(ARGV[3])) do
  items[#items + 1] = field
  items[#items + 1] = value
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(items))
local leaving = tonumber(ARGV[4])
for i = 3, 2 + leaving do redis.call('SREM', KEYS[i], ARGV[2]) end
for i = 3 + leaving, #KEYS do redis.call('SADD', KEYS[i], ARGV[2]) end
if ARGV[5] ~= '' then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], '*', 'shown', ARGV[6], 'alert', ARGV[7])
  redis.call('PUBLISH', ARGV[5], ARGV[7])
end
return 1
"""


def read_alert(codec: AvroCodec, value: bytes | None) -> tuple[dict | None, Problem | None]:
    """A record of the alerts topic decoded, or why it cannot be shown (never raises)."""
    try:
        record = codec.decode(value)
    except DecodeError as exc:
        return None, Problem(exc.reason, exc.message)
    problem = record_problem(record)
    return (record, None) if problem is None else (None, Problem(INVALID_FIELD, problem))


class AlertChannels:
    def __init__(self, settings: Settings):
        self._key = settings.redis_key
        self._redis = aioredis.from_url(settings.redis_url, decode_responses=True)
        self._apply = self._redis.register_script(APPLY_ALERT)

    @property
    def stream(self) -> str:
        return self._key(NAMESPACE, "stream")

    def channel(self, severity: str) -> str:
        return self._key(NAMESPACE, severity)

    def _alert_key(self, alert_id: str) -> str:
        return self._key(NAMESPACE, "alert", alert_id)

    def _index_key(self, index: str, value: str) -> str:
        return self._key(NAMESPACE, "idx", index, value)

    async def clear(self) -> int:
        """Unlinks the alerts' state — hashes and index sets, what the topic's records rebuild — and
        returns how many keys; the stream, a log of what was announced, stays."""
        return sum([await unlink_under(self._redis, self._key(NAMESPACE, part) + ":") for part in ("alert", "idx")])

    async def write(self, alerts: Iterable[Mapping], announce: bool = True) -> int:
        """Make Redis hold, per alert id, the record of highest precedence among those stored and
        ``alerts`` (``document``s); returns how many alerts changed. ``announce=False`` writes the
        state alone: no stream entry, no message (a rebuild, which reports nothing new)."""
        pending = latest(alerts)
        written = 0
        while pending:
            texts = await self._stored_texts(pending)
            decided = [
                (alert_id, u) for alert_id, alert in pending.items() if (u := update(_parsed(texts[alert_id]), alert))
            ]
            async with self._redis.pipeline(transaction=False) as pipe:
                for alert_id, decision in decided:
                    await self._call(decision, texts[alert_id], announce, pipe)
                results = await pipe.execute()
            written += sum(results)
            pending = {alert_id: pending[alert_id] for (alert_id, _), done in zip(decided, results) if not done}
        return written

    async def _stored_texts(self, alert_ids: Iterable[str]) -> dict[str, str | None]:
        """Alert id → the stored record's text (None when absent), in one round trip."""
        ids = list(alert_ids)
        async with self._redis.pipeline(transaction=False) as pipe:
            for alert_id in ids:
                pipe.hget(self._alert_key(alert_id), "record")
            texts = await pipe.execute()
        return dict(zip(ids, texts))

    async def _call(self, decision: Update, stored_text: str | None, announce: bool, client) -> None:
        alert = decision.alert
        leave = [self._index_key(index, value) for index, value in decision.leave.items()]
        join = [self._index_key(index, value) for index, value in decision.join.items()]
        said = entry(alert)
        await self._apply(
            keys=[self._alert_key(alert["alert_id"]), self.stream, *leave, *join],
            args=[
                stored_text or "",
                alert["alert_id"],
                json.dumps(decision.fields, ensure_ascii=False, separators=(",", ":")),
                len(leave),
                self.channel(alert["severity"]) if announce and decision.announce else "",
                said["shown"],
                said["alert"],
                STREAM_MAXLEN,
            ],
            client=client,
        )

    async def query(self, status: str | None = None, rule: str | None = None, subject_id: str | None = None) -> list[dict]:
        """The alerts passing the filters (validated by the caller), oldest opening first."""
        operation, sets = query_sets(status, rule, subject_id)
        keys = [self._index_key(index, value) for index, value in sets]
        ids = await (self._redis.sinter if operation == "inter" else self._redis.sunion)(keys)
        found = [_parsed(text) for text in (await self._stored_texts(sorted(ids))).values()]
        # An alert may have changed between reading the sets and its hash: filter what was read.
        return in_order(a for a in found if a is not None and matches(a, status, rule, subject_id))

    async def last_entry(self) -> str:
        """The id of the stream's newest entry ('0-0' when empty): where a follower starts."""
        newest = await self._redis.xrevrange(self.stream, count=1)
        return newest[0][0] if newest else "0-0"

    async def entries_after(self, last: str, block_ms: int) -> list[tuple[str, dict]]:
        """(entry id, alert) for the stream's entries after ``last``, waiting up to ``block_ms`` for one."""
        answer = await self._redis.xread({self.stream: last}, block=block_ms)
        return [(entry_id, json.loads(fields["alert"])) for _, entries in answer for entry_id, fields in entries]

    async def close(self) -> None:
        await self._redis.aclose()


def _parsed(text: str | None) -> dict | None:
    return json.loads(text) if text else None
