"""The Redis projection of worker state: fast reads for dashboards and the CLI.

A projection only: ``pantau redis rebuild`` writes it again from the worker-state topic.
``domain.projection`` decides what a state looks like in Redis (and documents the key layout);
this module writes it, one round trip per state: a Lua script that moves the worker between
index sets, keeps the count hashes and replaces the worker's hash, atomically.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

import redis.asyncio as aioredis

from domain.projection import INDEXES, WorkerProjection, project
from streams.settings import Settings

# KEYS[1]    the worker's hash             KEYS[2..]  the lookup keys of the worker's identifiers
# ARGV[1]    the worker id                 ARGV[2]    index key prefix ("{prefix}:idx")
# ARGV[3]    count key prefix              ARGV[4]    the new hash, a JSON object of strings
#
# The hash travels as one JSON argument: redis-py packs each argument in Python, and the
# packing of some forty small ones cost more than anything else in projecting a state.
# Previous index values are read from the hash itself, so moving between sets needs no extra
# round trip. A count moves only when SADD/SREM changed a set, so writing a state again (a
# replay) changes nothing, and a count is always its set's cardinality; at 0 its field goes,
# as an empty set does. A state with fewer events than the stored one is older (a worker's
# events only accumulate): it is ignored, so a stale writer — a rebuild's snapshot, a worker
# that lost its partition — cannot step a worker back. Returns 1 when written, 0 when ignored.
# Index and count keys are built here, so this suits a single Redis, not Redis Cluster.
WRITE_WORKER = """
local worker_key, worker_id = KEYS[1], ARGV[1]
local new = cjson.decode(ARGV[4])
local stored_count = tonumber(redis.call('HGET', worker_key, 'event_count'))
if stored_count and stored_count > tonumber(new['event_count']) then return 0 end
for _, index in ipairs({%s}) do
  local old, value = redis.call('HGET', worker_key, index) or nil, new[index]
  local counts = ARGV[3] .. ':' .. index
  if old and old ~= value and redis.call('SREM', ARGV[2] .. ':' .. index .. ':' .. old, worker_id) == 1 then
    if redis.call('HINCRBY', counts, old, -1) <= 0 then redis.call('HDEL', counts, old) end
  end
  if value and redis.call('SADD', ARGV[2] .. ':' .. index .. ':' .. value, worker_id) == 1 then
    redis.call('HINCRBY', counts, value, 1)
  end
end
local items = {}
for field, value in pairs(new) do
  items[#items + 1] = field
  items[#items + 1] = value
end
redis.call('DEL', worker_key)
redis.call('HSET', worker_key, unpack(items))
for i = 2, #KEYS do redis.call('SET', KEYS[i], worker_id) end
return 1
""" % ", ".join(f"'{index}'" for index in INDEXES)

# A worker merged into another (identity resolution): out of every index set and count, its hash
# gone, and a pointer to the survivor in its place. Its lookup keys are left alone: they name
# identifiers the survivor also holds, and its own write points them at itself.
# KEYS[1] the worker's hash   KEYS[2] its pointer key
# ARGV[1] the worker id       ARGV[2] index key prefix   ARGV[3] count key prefix   ARGV[4] the survivor
MOVE_WORKER = """
local worker_key, worker_id = KEYS[1], ARGV[1]
for _, index in ipairs({%s}) do
  local old = redis.call('HGET', worker_key, index)
  if old and redis.call('SREM', ARGV[2] .. ':' .. index .. ':' .. old, worker_id) == 1 then
    local counts = ARGV[3] .. ':' .. index
    if redis.call('HINCRBY', counts, old, -1) <= 0 then redis.call('HDEL', counts, old) end
  end
end
redis.call('DEL', worker_key)
redis.call('SET', KEYS[2], ARGV[4])
return 1
""" % ", ".join(f"'{index}'" for index in INDEXES)


class RedisProjection:
    def __init__(self, settings: Settings):
        self._settings = settings
        self._redis = aioredis.from_url(settings.redis_url)
        self._write_worker = self._redis.register_script(WRITE_WORKER)
        self._move_worker = self._redis.register_script(MOVE_WORKER)

    async def write(self, state: dict) -> None:
        """Project one state: one round trip, atomic, idempotent."""
        await self._call(project(state), self._redis)

    async def write_many(self, states: Iterable[dict], moved: Iterable[tuple[str, str]] = ()) -> None:
        """Project many states, and workers merged away as (worker id, survivor), in one pipelined
        round trip (each still atomic on its own)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for state in states:
                await self._call(project(state), pipe)
            key = self._settings.redis_key
            for worker_id, survivor in moved:
                keys = [key("worker", worker_id), key("moved", worker_id)]
                await self._move_worker(keys=keys, args=[worker_id, key("idx"), key("count"), survivor], client=pipe)
            await pipe.execute()

    async def _call(self, projection: WorkerProjection, client) -> None:
        key = self._settings.redis_key
        keys = [key("worker", projection.worker_id), *(key("lookup", kind, digest) for kind, digest in projection.lookups)]
        fields = json.dumps(projection.fields, ensure_ascii=False, separators=(",", ":"))
        await self._write_worker(keys=keys, args=[projection.worker_id, key("idx"), key("count"), fields], client=client)

    async def close(self) -> None:
        await self._redis.aclose()
