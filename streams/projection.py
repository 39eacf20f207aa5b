"""The Redis projection of worker state: fast reads for dashboards and the CLI.

A projection only: everything here can be rebuilt from the worker-state topic. Personal data
is masked on the way in (NIK and passport as their last four characters, names as initials).
"""
from __future__ import annotations

import redis.asyncio as aioredis

from domain.masking import initials, lookup_digest, mask_identifier
from streams.settings import Settings


def projected_fields(state: dict) -> dict[str, str]:
    """The Redis hash of one worker: strings only, personal data masked."""
    episode = state.get("current_episode") or {}
    fields = {
        "worker_id": state["worker_id"],
        "status": state.get("status"),
        "niks": ",".join(mask_identifier(n) for n in state["identifiers"]["niks"]),
        "passports": ",".join(mask_identifier(p) for p in state["identifiers"]["passports"]),
        "name": initials(state.get("full_name")),
        "birth_year": state["date_of_birth"].year if state.get("date_of_birth") else None,
        "sex": state.get("sex"),
        "origin_regency": state.get("origin_regency"),
        "country": episode.get("country"),
        "sector": episode.get("sector"),
        "last_event_at": state["last_event_at"].isoformat() if state.get("last_event_at") else None,
        "event_count": state["event_count"],
    }
    return {key: str(value) for key, value in fields.items() if value is not None and value != ""}


class RedisProjection:
    def __init__(self, settings: Settings):
        self._settings = settings
        self._redis = aioredis.from_url(settings.redis_url)

    def worker_key(self, worker_id: str) -> str:
        return self._settings.redis_key("worker", worker_id)

    def lookup_key(self, kind: str, identifier: str) -> str:
        """``kind`` is ``nik`` or ``passport``; the key holds a digest, never the number."""
        return self._settings.redis_key("lookup", kind, lookup_digest(identifier))

    async def write(self, state: dict) -> None:
        key = self.worker_key(state["worker_id"])
        # One round trip: replace the hash whole, so fields that became empty disappear.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping=projected_fields(state))
            for kind, identifiers in (("nik", state["identifiers"]["niks"]), ("passport", state["identifiers"]["passports"])):
                for identifier in identifiers:
                    pipe.set(self.lookup_key(kind, identifier), state["worker_id"])
            await pipe.execute()

    async def close(self) -> None:
        await self._redis.aclose()
