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

from domain.projection import INDEXES, project
from domain.reconciliation import flat, pieces_by_record, worker_contributions
from streams.settings import Settings

# KEYS[1]    the worker's hash             KEYS[2]    the worker's reconciliation contributions (a hash)
# KEYS[3..]  the lookup keys of the worker's identifiers
# ARGV[1]    the worker id                 ARGV[2]    index key prefix ("{prefix}:idx")
# ARGV[3]    count key prefix              ARGV[4]    the new hash, a JSON object of strings
# ARGV[5]    reconciliation sums prefix    ARGV[6]    source record prefix
# ARGV[7]    the worker's contributions, a JSON object ``dimension|value|view[|cause]`` → n
# ARGV[8]    the worker's pieces of source records, a JSON object record id → [stage, sector, province]
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
#
# Reconciliation (domain.reconciliation) is kept the same way, by replacing, never by blind
# deltas: the worker's previous contributions are taken out of the sums and the new ones put in;
# each source record it holds a piece of is then recomputed whole from its pieces in every worker
# (a hash per record, worker id → piece), and that record's previous contribution replaced too
# (kept in the record's hash under "=", as [field, n] pairs in field order). RECORDS restates ``source_records.combine``/``abroad_at``
# and ``reconciliation.record_contributions``: a piece's parts sort as plain strings, so "latest"
# is a string maximum here as there; tests/integration/test_reconciliation.py checks the sums
# against the Python definition.
RECORDS = """
local function add(field, n)
  local dimension, rest = string.match(field, '^([^|]*)|(.*)$')
  local sums = ARGV[5] .. ':' .. dimension
  if redis.call('HINCRBY', sums, rest, n) == 0 then redis.call('HDEL', sums, rest) end
end
local function replace(old, new)
  for field, n in pairs(old) do add(field, -n) end
  for field, n in pairs(new) do add(field, n) end
end
local function value(part)
  if part == nil or part == '' then return 'UNKNOWN' end
  return string.match(part, '|([^|]*)$')
end
local ABROAD = {DEPARTED = true, PLACED = true, PLACEMENT_UPDATED = true}
local DIMENSIONS = {'country', 'province', 'sector'}
local function abroad_at(record)
  if record[1] == nil or record[1] == '' then return nil end
  local _, stage, country = string.match(record[1], '^([^|]*)|([^|]*)|(.*)$')
  if not ABROAD[stage] then return nil end
  return {country, value(record[3]), value(record[2])}
end
local function refresh(record_key, kind)
  local all = redis.call('HGETALL', record_key)
  local applied, whole, pieces = {}, {'', '', ''}, 0
  local new = {}
  local function bump(place, cause, n)
    for i, dimension in ipairs(DIMENSIONS) do
      local field = dimension .. '|' .. place[i] .. '|' .. kind .. cause
      new[field] = (new[field] or 0) + n
    end
  end
  for i = 1, #all, 2 do
    if all[i] == '=' then
      for _, pair in ipairs(cjson.decode(all[i + 1])) do applied[pair[1]] = pair[2] end
    else
      local piece = cjson.decode(all[i + 1])
      pieces = pieces + 1
      for part = 1, 3 do
        if piece[part] > whole[part] then whole[part] = piece[part] end
      end
      local place = abroad_at(piece)
      if place then bump(place, '|SPLIT_RECORD', -1) end
    end
  end
  local place = abroad_at(whole)
  if place then
    bump(place, '', 1)
    bump(place, '|SPLIT_RECORD', 1)
  end
  local fields = {}
  for field, n in pairs(new) do
    if n == 0 then new[field] = nil else fields[#fields + 1] = field end
  end
  replace(applied, new)
  table.sort(fields)  -- [field, n] pairs in field order: the same record, the same bytes, however it came
  local pairs_ = {}
  for i, field in ipairs(fields) do pairs_[i] = {field, new[field]} end
  if pieces == 0 then
    redis.call('DEL', record_key)
  elseif #fields == 0 then
    redis.call('HDEL', record_key, '=')
  else
    redis.call('HSET', record_key, '=', cjson.encode(pairs_))
  end
end
local function move_records(contributions_key, worker_id, new_pieces)
  local stored = redis.call('HGET', contributions_key, 'records')
  local touched = {}
  for id in pairs(stored and cjson.decode(stored) or {}) do touched[id] = true end
  for id in pairs(new_pieces) do touched[id] = true end
  for id in pairs(touched) do
    local record_key = ARGV[6] .. ':' .. id
    if new_pieces[id] then
      redis.call('HSET', record_key, worker_id, cjson.encode(new_pieces[id]))
    else
      redis.call('HDEL', record_key, worker_id)
    end
    refresh(record_key, string.match(id, '^([^:]*)'))
  end
end
local function move_contributions(contributions_key, worker_id, new_json, new_pieces)
  local stored = redis.call('HGET', contributions_key, 'worker')
  replace(stored and cjson.decode(stored) or {}, cjson.decode(new_json))
  move_records(contributions_key, worker_id, new_pieces)
end
"""

WRITE_WORKER = RECORDS + """
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
for i = 3, #KEYS do redis.call('SET', KEYS[i], worker_id) end
move_contributions(KEYS[2], worker_id, ARGV[7], cjson.decode(ARGV[8]))
redis.call('HSET', KEYS[2], 'worker', ARGV[7], 'records', ARGV[8])
return 1
""" % ", ".join(f"'{index}'" for index in INDEXES)


# A worker merged away (identity resolution tombstones it): out of its index sets and counts, its
# contributions out of the sums, its pieces out of the records it held. KEYS[1] the worker's hash,
# KEYS[2] its contributions; ARGV as for WRITE_WORKER (only 1-3, 5, 6 are read). Returns 1 when
# there was a worker to delete. Lookups are left: the surviving worker's write points them anew.
DELETE_WORKER = RECORDS + """
local worker_key, worker_id = KEYS[1], ARGV[1]
if redis.call('EXISTS', worker_key) == 0 and redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
for _, index in ipairs({%s}) do
  local old = redis.call('HGET', worker_key, index)
  local counts = ARGV[3] .. ':' .. index
  if old and redis.call('SREM', ARGV[2] .. ':' .. index .. ':' .. old, worker_id) == 1 then
    if redis.call('HINCRBY', counts, old, -1) <= 0 then redis.call('HDEL', counts, old) end
  end
end
move_contributions(KEYS[2], worker_id, '{}', {})
redis.call('DEL', worker_key, KEYS[2])
return 1
""" % ", ".join(f"'{index}'" for index in INDEXES)

class RedisProjection:
    def __init__(self, settings: Settings):
        self._settings = settings
        self._redis = aioredis.from_url(settings.redis_url)
        self._write_worker = self._redis.register_script(WRITE_WORKER)
        self._delete_worker = self._redis.register_script(DELETE_WORKER)

    async def write(self, state: dict) -> None:
        """Project one state: one round trip, atomic, idempotent."""
        await self._call(state, self._redis)

    async def write_many(self, states: Iterable[dict], moved: Iterable[tuple[str, str]] = ()) -> None:
        """Project many states, and workers merged away as (worker id, survivor), in one pipelined
        round trip (each still atomic on its own)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for state in states:
                await self._call(state, pipe)
            key = self._settings.redis_key
            for worker_id, survivor in moved:
                await self._delete_worker(
                    keys=[key("worker", worker_id), key("contrib", worker_id)],
                    args=[worker_id, key("idx"), key("count"), "", key("recon"), key("record")],
                    client=pipe,
                )
                # Where the worker went: the old id still finds the person (``domain.projection``).
                pipe.set(key("moved", worker_id), survivor)
            await pipe.execute()

    async def _call(self, state: dict, client) -> None:
        projection = project(state)
        key = self._settings.redis_key
        keys = [key("worker", projection.worker_id), key("contrib", projection.worker_id),
                *(key("lookup", kind, digest) for kind, digest in projection.lookups)]
        fields = _json(projection.fields)
        await self._write_worker(
            keys=keys,
            args=[projection.worker_id, key("idx"), key("count"), fields, key("recon"), key("record"),
                  _json(flat(worker_contributions(state))), _json(pieces_by_record(state))],
            client=client,
        )

    async def close(self) -> None:
        await self._redis.aclose()


def _json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
